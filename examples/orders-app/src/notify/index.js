const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const sns = new SNSClient({});

module.exports.handler = async (event) => {
  for (const record of event.Records) {
    await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: record.body }));
  }
};
