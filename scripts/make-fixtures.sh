#!/usr/bin/env bash
# Regenerates the synthetic test audio. The outputs are committed; run this only to change them:
#
#     sudo apt-get install -y festival festvox-us-slt-hts flite sox
#     bash scripts/make-fixtures.sh        (KEEP_WORK=1 keeps the intermediate files)
#
# samples/sample-call.wav   two-party contact-centre call, stereo 8 kHz µ-law (customer left, agent right),
#                           the bundled sample newcomers stream into the system; also the WER test fixture
# samples/sample-call.json  reference: one entry per turn with role, startMs, endMs, written text and the
#                           exact words spoken (`spoken`, what WER is scored against)
# test/fixtures/audio/short-1.wav / .json   one voice, two sentences, mono 8 kHz µ-law
#
# Why synthetic: no real call audio may be committed. Two different engines give the two parties different
# voices (festival's HTS voice for the agent, flite's male voice for the customer). Numbers are synthesized
# spelled out, so the reference is exactly what was said. Every step is deterministic (`sox -R`), so running
# the script again reproduces the committed files byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in text2wave flite sox soxi; do
  command -v "$tool" >/dev/null || { echo "make-fixtures: $tool missing (apt-get install festival festvox-us-slt-hts flite sox)" >&2; exit 1; }
done

RATE=8000
# A faint noise floor like a real line's: pure digital silence would make voice detection trivially easy.
NOISE_VOL=0.0015
LEAD_IN_MS=600
TAIL_MS=1000

work=$(mktemp -d)
[[ -n ${KEEP_WORK:-} ]] || trap 'rm -rf "$work"' EXIT
SOX=(sox -R -D -V1)

# say ROLE TEXT OUT: speech at 8 kHz 16-bit mono, trimmed to the first and last audible sample, so the
# reference times are the speech's real edges.
say() {
  local role=$1 text=$2 out=$3 raw="$work/raw.wav"
  if [[ $role == agent ]]; then
    printf '%s\n' "$text" > "$work/say.txt"
    text2wave -eval '(voice_cmu_us_slt_arctic_hts)' "$work/say.txt" -o "$raw" >/dev/null
    gain=-3
  else
    flite -voice rms -t "$text" -o "$raw"
    gain=-5
  fi
  # Band-limit like a telephone line, normalize each party to its own level.
  "${SOX[@]}" "$raw" -r $RATE -c 1 -b 16 "$out" sinc 250-3400 \
    silence 1 0.02 0.3% reverse silence 1 0.02 0.3% reverse norm $gain
}

# silence SAMPLES OUT
# (Format options go before -n: they describe the null input, whose default rate would be 48 kHz.)
silence() { "${SOX[@]}" -r $RATE -c 1 -n -b 16 "$2" trim 0 "${1}s"; }

json_escape() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }

# build NAME TURNS_FILE CHANNELS OUT_WAV OUT_JSON
# TURNS_FILE lines: role|gap before the turn in ms|written text|spoken text (synthesized)
build() {
  local name=$1 turns=$2 channels=$3 out_wav=$4 out_json=$5
  local pos=$((LEAD_IN_MS * RATE / 1000)) i=0
  local -a left=() right=()
  local left_end=0 right_end=0 entries=""
  while IFS='|' read -r role gap text spoken; do
    [[ -z $role || $role == \#* ]] && continue
    i=$((i + 1))
    local seg="$work/$name-$i.wav"
    say "$role" "$spoken" "$seg"
    local n
    n=$(soxi -s "$seg")
    if ((i > 1)); then pos=$((pos + gap * RATE / 1000)); fi
    # Each channel is its own sequence of silence and that party's speech.
    if [[ $role == customer ]]; then
      silence $((pos - left_end)) "$work/$name-$i-pad.wav"
      left+=("$work/$name-$i-pad.wav" "$seg"); left_end=$((pos + n))
    else
      silence $((pos - right_end)) "$work/$name-$i-pad.wav"
      right+=("$work/$name-$i-pad.wav" "$seg"); right_end=$((pos + n))
    fi
    [[ -n $entries ]] && entries+=$',\n'
    entries+="    {\"role\": \"$role\", \"startMs\": $((pos * 1000 / RATE)), \"endMs\": $(((pos + n) * 1000 / RATE)), "
    entries+="\"text\": \"$(json_escape "$text")\", \"spoken\": \"$(json_escape "$spoken")\"}"
    pos=$((pos + n))
  done < "$turns"

  local total=$((pos + TAIL_MS * RATE / 1000))
  # Pad both channels to the same length, then lay the faint noise floor under them.
  local ch
  for ch in left right; do
    local -n parts=$ch
    if ((${#parts[@]} == 0)); then silence $total "$work/$name-$ch.wav"; continue; fi
    "${SOX[@]}" "${parts[@]}" "$work/$name-$ch-speech.wav" pad 0 "${total}s" trim 0 "${total}s"
    "${SOX[@]}" -r $RATE -c 1 -n -b 16 "$work/$name-$ch-noise.wav" synth "${total}s" brownnoise vol $NOISE_VOL
    "${SOX[@]}" -m "$work/$name-$ch-speech.wav" "$work/$name-$ch-noise.wav" "$work/$name-$ch.wav"
  done
  if [[ $channels == 2 ]]; then
    "${SOX[@]}" -M "$work/$name-left.wav" "$work/$name-right.wav" -e mu-law -b 8 "$out_wav"
  else
    # Mono: the one voice is the agent's.
    "${SOX[@]}" "$work/$name-right.wav" -e mu-law -b 8 "$out_wav"
  fi
  {
    printf '{\n  "audio": "%s",\n  "sampleRate": %d,\n  "channels": %s,\n  "durationMs": %d,\n  "turns": [\n' \
      "$(basename "$out_wav")" $RATE "$([[ $channels == 2 ]] && echo '["customer", "agent"]' || echo '["agent"]')" \
      $((total * 1000 / RATE))
    printf '%s\n  ]\n}\n' "$entries"
  } > "$out_json"
  echo "make-fixtures: $out_wav ($(soxi -d "$out_wav"), $(stat -c %s "$out_wav") bytes)"
}

cat > "$work/call.txt" <<'EOF'
agent|0|Thank you for calling First City Bank, my name is Sarah. How can I help you?|Thank you for calling First City Bank, my name is Sarah. How can I help you?
customer|700|Hi, I would like to check the balance on my savings account.|Hi, I would like to check the balance on my savings account.
agent|600|Sure. Can I have your account number, please?|Sure. Can I have your account number, please?
customer|900|Yes, it is 4712 3389 05.|Yes, it is four seven one two, three three eight nine, zero five.
agent|500|Thank you. And can you confirm the phone number on the account?|Thank you. And can you confirm the phone number on the account?
customer|800|It is 555 201 8847.|It is five five five, two zero one, eight eight four seven.
agent|1100|Thank you. Your current balance is $1,240.50.|Thank you. Your current balance is one thousand two hundred forty dollars and fifty cents.
customer|600|Okay. I also want to pay my credit card bill of $300.|Okay. I also want to pay my credit card bill of three hundred dollars.
agent|700|No problem. Please read me the card number.|No problem. Please read me the card number.
customer|1200|4532 7718 0926 3314.|Four five three two, seven seven one eight, zero nine two six, three three one four.
agent|900|A payment of $300 will be made today. Anything else?|A payment of three hundred dollars will be made today. Anything else?
customer|400|No, that is all. Thank you, goodbye.|No, that is all. Thank you, goodbye.
EOF

cat > "$work/short.txt" <<'EOF'
agent|0|Thank you for calling customer support. I can help you reset your password today.|Thank you for calling customer support. I can help you reset your password today.
EOF

mkdir -p samples test/fixtures/audio
build call "$work/call.txt" 2 samples/sample-call.wav samples/sample-call.json
build short "$work/short.txt" 1 test/fixtures/audio/short-1.wav test/fixtures/audio/short-1.json
