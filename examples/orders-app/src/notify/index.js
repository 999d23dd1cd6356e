const { execSync } = require("child_process");
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const sns = new SNSClient({});

module.exports.handler = async (event) => {
  for (const record of event.Records) {
    const message = JSON.parse(record.body);
    // Archive the notification with a shell tool: the subject comes from the queue message.
    execSync(`logger -t orders "${message.subject}"`);
    await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: record.body }));
  }
};
