import json
import os
import subprocess

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def create(event, context):
    order = json.loads(event["body"])
    TABLE.put_item(Item=order)
    # Render a receipt: the order id comes straight from the request body.
    receipt = f"/tmp/receipt-{order['id']}.pdf"
    subprocess.run(f"wkhtmltopdf /opt/receipt.html {receipt}", shell=True, check=False)
    return {"statusCode": 201, "body": json.dumps({"id": order["id"]})}


def get(event, context):
    order_id = event["pathParameters"]["id"]
    try:
        item = TABLE.get_item(Key={"id": order_id}).get("Item")
    except Exception as exc:
        return {"statusCode": 500, "body": str(exc)}
    return {"statusCode": 200 if item else 404, "body": json.dumps(item or {})}
