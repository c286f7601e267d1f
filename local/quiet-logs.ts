// Imported first by the local commands: the logger reads its level when it is created, at import time,
// and a terminal is for transcripts and results, not INFO lines (set POWERTOOLS_LOG_LEVEL to see them).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// The AWS SDK warns once per process that its 2027 releases will need Node 22; Node 20 is supported here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// CloudWatch metrics (EMF lines on stdout) mean something only in AWS; locally they would bury the transcripts.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
