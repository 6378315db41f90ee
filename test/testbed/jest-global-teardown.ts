// Placeholder until the test bed exists: integration tests stop the shared servers here.
export default async function globalTeardown(): Promise<void> {}
