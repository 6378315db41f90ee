#!/usr/bin/env node
// CDK app entry point: wires the stacks together (they grow in lib/stacks/).
import { App } from 'aws-cdk-lib';

const app = new App();
app.synth();
