// Imported first by local/main.ts: the logger reads its level when it is created, at import time, and
// the terminal of `npm start` is for transcripts, not for INFO lines (set POWERTOOLS_LOG_LEVEL to see them).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
