import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import Table from 'cli-table3';
import { S3DynamoDbDatasetStore } from '#adapters/dataset-store.ts';
import { connect } from '#cli/target.ts';
import type { CuratedDataset } from '#domain/curation/index.ts';

interface DatasetsOptions {
  json?: boolean;
}

const program = new Command('datasets')
  .description('Lists the curated dataset versions, newest first, with their window, record counts and top topics.')
  .option('--json', 'print the versions as one JSON array')
  .showHelpAfterError();

async function main(options: DatasetsOptions): Promise<number> {
  const connection = await connect('datasets');
  if (!connection) return 1;
  const { target, config } = connection;
  const store = new S3DynamoDbDatasetStore(config.bucketName, config.tableName, {
    dynamodb: new DynamoDBClient({ region: config.region }),
    s3: new S3Client({ region: config.region, forcePathStyle: config.s3ForcePathStyle }),
  });
  const datasets = await store.listDatasets();
  if (options.json) {
    console.log(JSON.stringify(datasets.map(summary)));
    return 0;
  }
  if (datasets.length === 0) {
    console.log(`datasets: no curated dataset versions yet on the ${target.label}; run \`npm run curate\` after some calls are rated (or \`npm run import-history\`)`);
    return 0;
  }
  const table = new Table({ head: ['version', 'created', 'window', 'family', 'train', 'validation', 'top topics'] });
  for (const dataset of datasets) {
    const s = summary(dataset);
    table.push([s.version, s.createdAt, `${s.window.from}\n${s.window.to}`, s.family, s.train, s.validation, s.topTopics.map(([t, n]) => `${t} (${n})`).join('\n')]);
  }
  console.log(`Dataset versions on the ${target.label}`);
  console.log(table.toString());
  return 0;
}

function summary(dataset: CuratedDataset) {
  return {
    version: dataset.version,
    createdAt: dataset.createdAt,
    window: dataset.window,
    family: dataset.family,
    train: dataset.counts.train,
    validation: dataset.counts.validation,
    topTopics: Object.entries(dataset.topics).slice(0, 5),
    files: { train: dataset.files.train.uri, validation: dataset.files.validation.uri, manifest: dataset.manifestUri },
  };
}

program.action(async (options: DatasetsOptions) => {
  process.exitCode = await main(options);
});
await program.parseAsync();
