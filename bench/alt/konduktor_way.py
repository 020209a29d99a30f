"""What the Konduktor CLI does on the cluster, for `npm run bench` (written for this bench; it
follows the calls of Konduktor's `secret create` / `set_secret` and its list-then-filter, with
Debian's python3-kubernetes, the same client library the CLI uses):

  set:  load the kubeconfig (context, its namespace); GET the Secret; PATCH it when it exists
        (the body is the whole V1Secret: labels and data, so keys merge), CREATE it when not.
  list: LIST every Secret of the namespace, keep the owner's on the client.

Usage: konduktor_way.py set KUBECONFIG CONTEXT NAME OWNER BASENAME KIND < values.json
       konduktor_way.py list KUBECONFIG CONTEXT OWNER
Values come on stdin as a JSON object, never in argv. Prints one line: the outcome or the count.
"""

import base64
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

OWNER_LABEL = "trainy.ai/secret-owner"


def context_namespace(kubeconfig, context):
    contexts, current = config.list_kube_config_contexts(config_file=kubeconfig)
    chosen = next((c for c in contexts if c["name"] == context), current)
    return chosen["context"].get("namespace") or "default"


def set_secret(kubeconfig, context, name, owner, basename, kind):
    values = json.load(sys.stdin)
    config.load_kube_config(config_file=kubeconfig, context=context)
    namespace = context_namespace(kubeconfig, context)
    api = client.CoreV1Api()
    data = {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}
    body = client.V1Secret(
        metadata=client.V1ObjectMeta(
            name=name,
            labels={
                "parent": "konduktor",
                OWNER_LABEL: owner,
                "trainy.ai/secret-basename": basename,
                "trainy.ai/secret-kind": kind,
            },
        ),
        type="Opaque",
        data=data,
    )
    try:
        api.read_namespaced_secret(name, namespace)
        exists = True
    except ApiException as e:
        if e.status != 404:
            raise
        exists = False
    if exists:
        api.patch_namespaced_secret(name, namespace, body)
        print("patched")
    else:
        api.create_namespaced_secret(namespace, body)
        print("created")


def list_own(kubeconfig, context, owner):
    config.load_kube_config(config_file=kubeconfig, context=context)
    namespace = context_namespace(kubeconfig, context)
    items = client.CoreV1Api().list_namespaced_secret(namespace).items
    own = [s for s in items if (s.metadata.labels or {}).get(OWNER_LABEL) == owner]
    print(len(own))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "set":
        set_secret(*args)
    elif command == "list":
        list_own(*args)
    else:
        sys.exit(f"unknown command {command}: use set or list")
