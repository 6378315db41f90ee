// Placeholder until the test bed exists: integration tests start the shared servers here.
export default async function globalSetup(): Promise<void> {}
