/**
 * cdk-nag acknowledgements, kept next to the construct they concern. Each names the rule (with its
 * finding detail when the rule reports one) and why the finding does not apply here.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/** Wildcard actions of the CDK's S3 grant helpers (grantRead/grantPut/grantReadWrite), scoped to one bucket. */
export const S3_GRANT_WILDCARD_ACTIONS = ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'];

export function acknowledgeBucketGrant(scope: IConstruct, resourcePattern: string, reason: string): void {
  for (const action of S3_GRANT_WILDCARD_ACTIONS) acknowledgeNag(scope, `IAM5[Action::${action}]`, `${action} from the CDK bucket grant, limited to one bucket: ${reason}`);
  acknowledgeNag(scope, `IAM5[Resource::${resourcePattern}]`, reason);
}

/** How cdk-nag writes a string built from pseudo parameters in its finding details. */
export function nagText(value: string): string {
  return value
    .split(Aws.PARTITION).join('<AWS::Partition>')
    .split(Aws.REGION).join('<AWS::Region>')
    .split(Aws.ACCOUNT_ID).join('<AWS::AccountId>');
}
