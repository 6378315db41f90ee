#!/usr/bin/env node
// CDK app entry point: reads the options from the context and wires the stacks: one stage directly, or
// the pipeline that deploys its stages when `pipeline.enabled` is true.
import { App } from 'aws-cdk-lib';
import { DeploymentOptionsError, loadStageOptions } from '../lib/config/options';
import { loadPipelineDeployment } from '../lib/config/pipeline-options';
import { addMigrationStacks, addPipelineStack } from '../lib/migration-app';

const app = new App();
const overrides = Object.fromEntries(Object.keys(app.node.getAllContext()).map((key) => [key, app.node.tryGetContext(key)]));
const context = (key: string) => app.node.tryGetContext(key);
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
try {
  const pipeline = loadPipelineDeployment(context, overrides);
  if (pipeline) addPipelineStack(app, pipeline, env);
  else addMigrationStacks(app, loadStageOptions(context, overrides), env);
} catch (error) {
  // A configuration mistake is the user's to fix: print the named keys, not a stack trace.
  if (!(error instanceof DeploymentOptionsError)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
}
app.synth();
