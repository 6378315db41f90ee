#!/usr/bin/env node
// CDK app entry point: reads the stage's options from the context and wires the stacks.
import { App } from 'aws-cdk-lib';
import { DeploymentOptionsError, loadStageOptions } from '../lib/config/options';
import { addMigrationStacks } from '../lib/migration-app';

const app = new App();
const overrides = Object.fromEntries(Object.keys(app.node.getAllContext()).map((key) => [key, app.node.tryGetContext(key)]));
try {
  const options = loadStageOptions((key) => app.node.tryGetContext(key), overrides);
  addMigrationStacks(app, options, { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' });
} catch (error) {
  // A configuration mistake is the user's to fix: print the named keys, not a stack trace.
  if (!(error instanceof DeploymentOptionsError)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
}
app.synth();
