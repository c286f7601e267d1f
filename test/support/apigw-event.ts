// The same event builder the local runtime uses for real HTTP requests.
export * from '#local/apigw-event.ts';
