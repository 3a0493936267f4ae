#!/usr/bin/env python3
"""A Kubernetes API server for the tests, on 127.0.0.1 with TLS: no real cluster runs here.

It holds pods, deployments (with a small controller that scales and rolls them out), HPAs,
pod logs and pod metrics, and serves them in the API's JSON shapes: lists with resource
versions, watches (chunked, newline-delimited, with bookmarks and 410 Expired once history is
compacted), the scale subresource (merge patch), strategic-merge patches, deletes, and Status
errors (401, 403 with the RBAC wording, 404, 400, 415, 422). The real kubectl runs against it in
the tests and must agree with it; see KubernetesFakeServerTests.

  fake_kube_apiserver.py DIR       DIR receives ca.crt, server.crt/key, client.crt/key
                                   (CN=podtop-test), all made with openssl for this run.

Prints "PORT CONTROL_PORT" on the first line of stdout, then serves until killed. The tests
steer it over plain HTTP on CONTROL_PORT (POST JSON to /control/<what>; GET /control/state).
"""
import base64, hashlib, http.server, json, os, queue, random, select, socketserver, ssl, subprocess
import sys, threading, time, urllib.parse
from datetime import datetime, timezone

LOCK = threading.RLock()
CHANGED = threading.Condition(LOCK)


def now_rfc3339():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_time():
    # The kubelet's RFC3339NanoFixed: always nine digits.
    t = time.time()
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%09d" % int((t % 1) * 1e9) + "Z"


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details is not None:
        body["details"] = details
    return body


def merge(target, patch):
    """JSON merge patch (RFC 7386); for maps, strategic merge is the same."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def selector_matches(selector, labels):
    """The label-selector grammar podtop and kubectl send: a=b, a==b, a!=b, a, !a, a in (x,y)."""
    if not selector:
        return True
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    for part in (p.strip() for p in parts):
        if " in " in part or " notin " in part:
            negate = " notin " in part
            key, values = part.split(" notin " if negate else " in ", 1)
            wanted = {v.strip() for v in values.strip()[1:-1].split(",")}
            if (labels.get(key.strip()) in wanted) == (not negate):
                continue
            return False
        if "!=" in part:
            key, value = part.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in part:
            key, value = part.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif part.startswith("!"):
            if part[1:] in labels:
                return False
        elif part not in labels:
            return False
    return True


class Cluster:
    """Everything the server holds; every change goes through `record`, under LOCK."""

    def __init__(self):
        self.rv = 100
        self.objects = {"pods": {}, "deployments": {}, "statefulsets": {}, "horizontalpodautoscalers": {}, "services": {}}
        # What each Service's pods answer on /health through the proxy: (ns, name) ->
        # {"status": code, "body": ..., "refuse": bool}; a Service not listed answers 200 ok.
        self.service_health = {}
        self.history = []          # (rv, resource, namespace, type, object)
        self.compacted_below = 0   # a watch from an older version gets 410
        self.watchers = []
        self.logs = {}             # (ns, pod, container) -> [(time, text)]
        self.previous_logs = {}
        self.metrics_enabled = True
        self.metrics = {}          # (ns, pod) -> {container: (cpu, memory)}
        self.tokens = {}           # token -> (user, expires_at or None)
        self.denied = []           # (user or None, verb, resource)
        self.requests = []
        # Set by the tests to hold every rollout where it is (POST /control/controller).
        self.controller_paused = False
        self.bookmark_every = None
        self.newest_bookmark = 0   # the newest resourceVersion a bookmark carried
        # The controller's indexes, so that a namespace of thousands of pods costs it little:
        # pods by (namespace, app label), pods being deleted, deployments that may need a step.
        self.pods_by_app = {}
        self.terminating = set()
        self.unsettled = set()

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def record(self, resource, kind, obj):
        obj["metadata"]["resourceVersion"] = self.next_rv()
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        store = self.objects[resource]
        if kind == "DELETED":
            store.pop(key, None)
        else:
            store[key] = obj
        if resource == "pods":
            app = (key[0], obj["metadata"].get("labels", {}).get("app"))
            members = self.pods_by_app.setdefault(app, {})
            if kind == "DELETED":
                members.pop(key[1], None)
                self.terminating.discard(key)
            else:
                members[key[1]] = obj
                if obj["metadata"].get("deletionTimestamp"):
                    self.terminating.add(key)
            self.unsettled.add(app)
        elif resource in ("deployments", "statefulsets"):
            self.unsettled.add((key[0], key[1]))
        event = (int(obj["metadata"]["resourceVersion"]), resource, key[0], kind, json.loads(json.dumps(obj)))
        self.history.append(event)
        if len(self.history) > 20000:
            self.history = self.history[-10000:]
            self.compacted_below = self.history[0][0]
        for watcher in list(self.watchers):
            watcher.offer(event)
        CHANGED.notify_all()

    def compact(self):
        # A write elsewhere in the cluster (the resource version is cluster-wide), then etcd's
        # compaction at that revision: a watch from it works, one from any older one gets 410.
        self.next_rv()
        self.compacted_below = self.rv
        self.history = []


CLUSTER = Cluster()


def pod_template_hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def make_pod(deployment, hash_, running=False, ordinal=None):
    """A Deployment's pod (<name>-<hash>-<random>) or, given an ordinal, a StatefulSet's
    (<name>-<ordinal>, the same name again when it is replaced)."""
    meta = deployment["metadata"]
    template = deployment["spec"]["template"]
    labels = dict(template["metadata"].get("labels", {}))
    if ordinal is None:
        name = "%s-%s-%s" % (meta["name"], hash_, "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5)))
        labels["pod-template-hash"] = hash_
        owner = {"kind": "ReplicaSet", "name": "%s-%s" % (meta["name"], hash_), "uid": "uid-rs-" + hash_}
    else:
        name = "%s-%d" % (meta["name"], ordinal)
        labels["controller-revision-hash"] = "%s-%s" % (meta["name"], hash_)
        owner = {"kind": "StatefulSet", "name": meta["name"], "uid": meta["uid"]}
    containers = [{"name": c["name"], "image": c["image"]} for c in template["spec"]["containers"]]
    pod = {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": meta["namespace"], "uid": "uid-" + name,
                     "creationTimestamp": now_rfc3339(), "labels": labels,
                     "annotations": dict(template["metadata"].get("annotations", {})),
                     "ownerReferences": [dict(owner, apiVersion="apps/v1", controller=True, blockOwnerDeletion=True)]},
        "spec": {"nodeName": "k3s-node-1", "containers": containers},
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    }
    set_state(pod, "running" if running else "creating")
    return pod


def set_state(pod, state):
    """Gives every container of the pod one of the states a dashboard must tell apart."""
    started = now_rfc3339()
    statuses = []
    previous = {s["name"]: s for s in pod["status"].get("containerStatuses", [])}
    for container in pod["spec"]["containers"]:
        before = previous.get(container["name"], {})
        restarts = before.get("restartCount", 0)
        entry = {"name": container["name"], "image": container["image"], "imageID": "", "restartCount": restarts,
                 "ready": False, "started": False, "lastState": before.get("lastState", {})}
        if state == "running":
            entry.update(ready=True, started=True, containerID="containerd://" + pod["metadata"]["uid"],
                         state={"running": {"startedAt": started}})
        elif state == "creating":
            entry["state"] = {"waiting": {"reason": "ContainerCreating"}}
        elif state in ("crashloop", "oomkilled"):
            reason = "OOMKilled" if state == "oomkilled" else "Error"
            entry["restartCount"] = restarts + 1
            entry["lastState"] = {"terminated": {"exitCode": 137 if state == "oomkilled" else 1, "reason": reason,
                                                 "startedAt": started, "finishedAt": started}}
            entry["state"] = ({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": started, "finishedAt": started}}
                              if state == "oomkilled" else
                              {"waiting": {"reason": "CrashLoopBackOff",
                                           "message": "back-off 10s restarting failed container=%s" % container["name"]}})
            key = (pod["metadata"]["namespace"], pod["metadata"]["name"], container["name"])
            CLUSTER.previous_logs[key] = list(CLUSTER.logs.get(key, [])) + [(log_time(), "fatal: cannot reach mongodb")]
        elif state == "imagepull":
            entry["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}
        statuses.append(entry)
    ready = all(s["ready"] for s in statuses)
    pod["status"]["phase"] = "Pending" if state in ("creating", "imagepull") else "Running"
    pod["status"]["containerStatuses"] = statuses
    pod["status"]["startTime"] = pod["status"].get("startTime", started)
    pod["status"]["conditions"] = [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": started},
        {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": started},
        {"type": "ContainersReady", "status": "True" if ready else "False", "lastTransitionTime": started},
    ]
    if state == "running":
        pod["status"]["podIP"] = "10.42.0.%d" % random.randint(2, 250)
        for container in pod["spec"]["containers"]:
            key = (pod["metadata"]["namespace"], pod["metadata"]["name"], container["name"])
            CLUSTER.logs.setdefault(key, []).append((log_time(), "%s listening on :%d" % (container["name"], 3000 + len(key[1]) % 8)))


def deployment_pods(deployment):
    # Every deployment here selects its pods by app=<its name>.
    meta = deployment["metadata"]
    return list(CLUSTER.pods_by_app.get((meta["namespace"], meta["name"]), {}).values())


def reconcile():
    """One step of a Deployment controller with maxSurge 1, maxUnavailable 0: at most one pod
    is created, made ready or removed per deployment per step, so a rollout can be watched."""
    with LOCK:
        for key in list(CLUSTER.terminating):
            CLUSTER.record("pods", "DELETED", CLUSTER.objects["pods"][key])
        unsettled, CLUSTER.unsettled = CLUSTER.unsettled, set()
        for key in unsettled:
            if key in CLUSTER.objects["statefulsets"]:
                step_statefulset(CLUSTER.objects["statefulsets"][key])
            deployment = CLUSTER.objects["deployments"].get(key)
            if deployment is None:
                continue
            spec, meta = deployment["spec"], deployment["metadata"]
            hash_ = pod_template_hash(spec["template"])
            pods = deployment_pods(deployment)
            new = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == hash_]
            old = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") != hash_]
            pending = [p for p in new if p["status"]["phase"] == "Pending"
                       and p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") == "ContainerCreating"]
            if pending:
                set_state(pending[0], "running")
                CLUSTER.record("pods", "MODIFIED", pending[0])
            elif len(new) < spec["replicas"] and len(pods) <= spec["replicas"]:
                CLUSTER.record("pods", "ADDED", make_pod(deployment, hash_))
            elif old:
                doomed = old[0]
                doomed["metadata"]["deletionTimestamp"] = now_rfc3339()
                CLUSTER.record("pods", "MODIFIED", doomed)
            elif len(new) > spec["replicas"]:
                doomed = sorted(new, key=lambda p: p["metadata"]["creationTimestamp"])[-1]
                doomed["metadata"]["deletionTimestamp"] = now_rfc3339()
                CLUSTER.record("pods", "MODIFIED", doomed)
            pods = deployment_pods(deployment)
            new = [p for p in pods if p["metadata"]["labels"].get("pod-template-hash") == hash_]
            ready = [p for p in pods if p["status"]["phase"] == "Running" and all(s["ready"] for s in p["status"]["containerStatuses"])]
            ready_names = {p["metadata"]["name"] for p in ready}
            done = len(new) == spec["replicas"] == len(pods) and all(p["metadata"]["name"] in ready_names for p in new)
            status_ = {
                "observedGeneration": meta["generation"], "replicas": len(pods), "updatedReplicas": len(new),
                "readyReplicas": len(ready), "availableReplicas": len(ready),
                "conditions": [
                    {"type": "Available", "status": "True" if ready else "False", "reason": "MinimumReplicasAvailable"},
                    {"type": "Progressing", "status": "True",
                     "reason": "NewReplicaSetAvailable" if done else "ReplicaSetUpdated",
                     "message": 'ReplicaSet "%s-%s" %s.' % (meta["name"], hash_, "has successfully progressed" if done else "is progressing")},
                ],
            }
            if {k: v for k, v in status_.items()} != deployment.get("status"):
                deployment["status"] = status_
                CLUSTER.record("deployments", "MODIFIED", deployment)


def step_statefulset(sts):
    """One step of a StatefulSet controller: pods made in order of their ordinals, removed from
    the highest, and on a new template replaced one at a time from the highest, same name."""
    spec, meta = sts["spec"], sts["metadata"]
    hash_ = pod_template_hash(spec["template"])
    revision = "%s-%s" % (meta["name"], hash_)
    pods = {p["metadata"]["name"]: p for p in deployment_pods(sts)}
    ordinal = lambda p: int(p["metadata"]["name"].rsplit("-", 1)[1])
    live = sorted((p for p in pods.values() if not p["metadata"].get("deletionTimestamp")), key=ordinal)
    pending = [p for p in live if p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason") == "ContainerCreating"]
    old = [p for p in live if p["metadata"]["labels"].get("controller-revision-hash") != revision]
    if pending:
        set_state(pending[0], "running")
        CLUSTER.record("pods", "MODIFIED", pending[0])
    elif len(pods) < spec["replicas"]:
        missing = min(set(range(spec["replicas"])) - {ordinal(p) for p in pods.values()})
        CLUSTER.record("pods", "ADDED", make_pod(sts, hash_, ordinal=missing))
    elif len(live) > spec["replicas"] or old:
        doomed = live[-1] if len(live) > spec["replicas"] else old[-1]
        doomed["metadata"]["deletionTimestamp"] = now_rfc3339()
        CLUSTER.record("pods", "MODIFIED", doomed)
    live = [p for p in deployment_pods(sts) if not p["metadata"].get("deletionTimestamp")]
    ready = [p for p in live if all(c["ready"] for c in p["status"]["containerStatuses"])]
    updated = [p for p in live if p["metadata"]["labels"].get("controller-revision-hash") == revision]
    # As the real controller: the current revision stays the old one until every pod runs the
    # update (kubectl's rollout status waits for the two to meet).
    current = sts.get("status", {}).get("currentRevision", revision)
    if len(updated) == len(live) == spec["replicas"] and len(ready) == spec["replicas"]:
        current = revision
    at_current = [p for p in live if p["metadata"]["labels"].get("controller-revision-hash") == current]
    status_ = {"observedGeneration": meta["generation"], "replicas": len(live), "readyReplicas": len(ready),
               "currentReplicas": len(at_current), "updatedReplicas": len(updated), "availableReplicas": len(ready),
               "currentRevision": current, "updateRevision": revision}
    if status_ != sts.get("status"):
        sts["status"] = status_
        CLUSTER.record("statefulsets", "MODIFIED", sts)


def controller():
    while True:
        time.sleep(0.05)
        if not CLUSTER.controller_paused:
            reconcile()


def add_workload(kind, namespace, name, labels, replicas, containers, ready=False):
    with LOCK:
        deployment = {
            "kind": kind, "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": namespace, "uid": "uid-deploy-" + name, "generation": 1,
                         "creationTimestamp": now_rfc3339(), "labels": labels,
                         "annotations": {"deployment.kubernetes.io/revision": "1"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": dict(labels, app=name)},
                                  "spec": {"containers": [{"name": c, "image": "registry.local/dreamscape/%s:1.4.2" % c} for c in containers]}},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}},
            "status": {},
        }
        if kind == "StatefulSet":
            deployment["spec"]["serviceName"] = name
            deployment["spec"]["updateStrategy"] = deployment["spec"].pop("strategy")
            deployment["spec"]["updateStrategy"].pop("rollingUpdate")
        CLUSTER.record("statefulsets" if kind == "StatefulSet" else "deployments", "ADDED", deployment)
        if ready:
            hash_ = pod_template_hash(deployment["spec"]["template"])
            for index in range(replicas):
                CLUSTER.record("pods", "ADDED", make_pod(deployment, hash_, running=True,
                                                         ordinal=index if kind == "StatefulSet" else None))
        return deployment


# ---------------------------------------------------------------------------------------------
# Discovery: legacy (non-aggregated) documents, which kubectl falls back to.

RESOURCES = {
    ("", "v1"): [("pods", "Pod", True, ["create", "delete", "get", "list", "patch", "update", "watch"]),
                 ("pods/log", "Pod", True, ["get"]),
                 ("services", "Service", True, ["create", "delete", "get", "list", "patch", "update", "watch"]),
                 ("services/proxy", "Service", True, ["create", "delete", "get", "patch", "update"]),
                 ("namespaces", "Namespace", False, ["get", "list", "watch"])],
    ("apps", "v1"): [("deployments", "Deployment", True, ["create", "delete", "get", "list", "patch", "update", "watch"]),
                     ("deployments/scale", "Scale", True, ["get", "patch", "update"]),
                     ("statefulsets", "StatefulSet", True, ["get", "list", "patch", "update", "watch"]),
                     ("statefulsets/scale", "Scale", True, ["get", "patch", "update"])],
    ("autoscaling", "v2"): [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["get", "list", "watch"])],
    ("metrics.k8s.io", "v1beta1"): [("pods", "PodMetrics", True, ["get", "list"])],
}


def resource_list(group, version):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": (group + "/" if group else "") + version,
            "resources": [dict({"name": n, "singularName": "" if "/" in n else k.lower(), "namespaced": ns, "kind": k, "verbs": v},
                               **({"shortNames": SHORT_NAMES[n]} if n in SHORT_NAMES else {}))
                          for n, k, ns, v in RESOURCES[(group, version)]]}


SHORT_NAMES = {"services": ["svc"], "pods": ["po"], "deployments": ["deploy"], "statefulsets": ["sts"], "horizontalpodautoscalers": ["hpa"], "namespaces": ["ns"]}


def group_list():
    groups = []
    for group, version in RESOURCES:
        if not group or (group == "metrics.k8s.io" and not CLUSTER.metrics_enabled):
            continue
        gv = {"groupVersion": group + "/" + version, "version": version}
        groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


# ---------------------------------------------------------------------------------------------
# HTTP

class Watcher:
    def __init__(self, resource, namespace, selector):
        self.resource, self.namespace, self.selector = resource, namespace, selector
        self.events = queue.Queue()

    def wants(self, event):
        _, resource, namespace, _, obj = event
        return resource == self.resource and (self.namespace is None or namespace == self.namespace) \
            and selector_matches(self.selector, obj["metadata"].get("labels", {}))

    def offer(self, event):
        if self.wants(event):
            self.events.put(event)


class APIHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def setup(self):
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    # -- replies

    def reply(self, code, body, content_type="application/json"):
        data = (json.dumps(body, separators=(",", ":")) if not isinstance(body, (bytes, str)) else body)
        data = data.encode() if isinstance(data, str) else data
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, code, reason, message, details=None):
        self.reply(code, status(code, reason, message, details))

    def start_chunks(self, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def client_gone(self):
        """True once the client has closed (or sent TLS close_notify): a real server notices,
        and a client waiting for the answer to its close_notify must not wait."""
        try:
            if not select.select([self.connection], [], [], 0)[0]:
                return False
            return self.connection.recv(1) == b""
        except (OSError, ssl.SSLError):
            return True

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- who is asking

    def user(self):
        cert = self.connection.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return value
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            entry = CLUSTER.tokens.get(auth[7:])
            if entry and (entry[1] is None or entry[1] > time.time()):
                return entry[0]
        return None

    def refused(self, user, verb, resource, namespace, group):
        for who, denied_verb, denied_resource in CLUSTER.denied:
            if (who is None or who == user) and denied_verb == verb and denied_resource == resource:
                subject = resource.split("/")[0]
                sub = " with subresource %s" % resource.split("/")[1] if "/" in resource else ""
                where = ' in the namespace "%s"' % namespace if namespace else " at the cluster scope"
                self.fail(403, "Forbidden", '%s is forbidden: User "%s" cannot %s resource "%s"%s in API group "%s"%s'
                          % (subject, user, verb, subject, sub, group, where),
                          {"kind": subject})
                return True
        return False

    # -- routing

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = self.rfile.read(length) if length else b""
        user = self.user()
        with LOCK:
            CLUSTER.requests.append({"method": method, "path": url.path, "query": query, "user": user,
                                     "contentType": self.headers.get("Content-Type"), "body": body.decode(errors="replace")})
        if user is None:
            return self.fail(401, "Unauthorized", "Unauthorized")
        parts = [p for p in url.path.split("/") if p]
        if url.path in ("/api", "/api/"):
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
        if url.path in ("/apis", "/apis/"):
            return self.reply(200, group_list())
        if url.path == "/version":
            return self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4+k3s1", "platform": "linux/amd64"})
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return self.fail(404, "NotFound", "the server could not find the requested resource")
        if (group, version) not in RESOURCES or (group == "metrics.k8s.io" and not CLUSTER.metrics_enabled):
            return self.fail(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self.reply(200, resource_list(group, version))
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        resource, name, sub = rest[0], (rest[1] if len(rest) > 1 else None), (rest[2] if len(rest) > 2 else None)
        known = {n for n, _, _, _ in RESOURCES[(group, version)]}
        full = resource + ("/" + sub if sub else "")
        if full not in known:
            return self.fail(404, "NotFound", "the server could not find the requested resource")
        verb = {"GET": "watch" if query.get("watch") in ("1", "true") else ("get" if name else "list"),
                "PATCH": "patch", "PUT": "update", "DELETE": "delete"}.get(method, method.lower())
        if self.refused(user, verb, full, namespace, group):
            return
        if group == "metrics.k8s.io":
            return self.pod_metrics(namespace, name, query)
        if method == "GET" and name is None:
            return self.watch(resource, namespace, query) if verb == "watch" else self.list(group, version, resource, namespace, query)
        if resource == "services" and sub == "proxy":
            return self.service_proxy(method, namespace, name, "/" + "/".join(rest[3:]))
        store = CLUSTER.objects.get(resource)
        with LOCK:
            obj = store.get((namespace, name)) if store is not None else None
        if obj is None:
            return self.fail(404, "NotFound", '%s%s "%s" not found' % (resource, "." + group if group else "", name),
                             {"name": name, "group": group, "kind": resource})
        if sub == "log":
            return self.pod_log(obj, query)
        if sub == "scale":
            return self.scale(method, obj, body, group)
        if method == "GET":
            with LOCK:
                return self.reply(200, obj)
        if method == "PATCH":
            return self.patch(resource, obj, body, group)
        if method == "DELETE" and resource == "pods":
            with LOCK:
                obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                obj["metadata"]["deletionGracePeriodSeconds"] = 30
                CLUSTER.record("pods", "MODIFIED", obj)
                return self.reply(200, obj)
        return self.fail(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def do_GET(self):
        self.handle_any("GET")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    # -- resources

    def list(self, group, version, resource, namespace, query):
        with LOCK:
            items = [o for (ns, _), o in sorted(CLUSTER.objects[resource].items())
                     if (namespace is None or ns == namespace) and selector_matches(query.get("labelSelector"), o["metadata"].get("labels", {}))]
            kind = {"pods": "PodList", "services": "ServiceList", "deployments": "DeploymentList", "statefulsets": "StatefulSetList",
                    "horizontalpodautoscalers": "HorizontalPodAutoscalerList"}[resource]
            body = {"kind": kind, "apiVersion": (group + "/" if group else "") + version,
                    "metadata": {"resourceVersion": str(CLUSTER.rv)}, "items": items}
            data = json.dumps(body, separators=(",", ":"))
        self.reply(200, data)

    def watch(self, resource, namespace, query):
        since = query.get("resourceVersion")
        timeout = float(query.get("timeoutSeconds", "1800"))
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        watcher = Watcher(resource, namespace, query.get("labelSelector"))
        with LOCK:
            expired = since not in (None, "", "0") and int(since) < CLUSTER.compacted_below
            if not expired:
                for event in CLUSTER.history:
                    if since not in (None, "", "0") and event[0] <= int(since):
                        continue
                    watcher.offer(event)
                CLUSTER.watchers.append(watcher)
        self.start_chunks("application/json")
        try:
            if expired:
                self.chunk(self.line("ERROR", status(410, "Expired", "too old resource version: %s (%d)" % (since, CLUSTER.rv))))
                return self.end_chunks()
            deadline = time.time() + timeout
            last_bookmark = time.time()
            while time.time() < deadline and not self.client_gone():
                try:
                    event = watcher.events.get(timeout=0.1)
                except queue.Empty:
                    event = None
                if event == "close":
                    break
                if event is not None:
                    self.chunk(self.line(event[3], event[4]))
                every = CLUSTER.bookmark_every
                if bookmarks and every and time.time() - last_bookmark >= every:
                    last_bookmark = time.time()
                    kind = {"pods": "Pod", "deployments": "Deployment"}.get(resource, "Pod")
                    self.chunk(self.line("BOOKMARK", {"kind": kind, "apiVersion": "v1", "metadata": {
                        "resourceVersion": str(CLUSTER.rv), "annotations": {"k8s.io/initial-events-end": "true"}}}))
                    CLUSTER.newest_bookmark = max(CLUSTER.newest_bookmark, CLUSTER.rv)
            self.end_chunks()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            # Like the API server, a watch that ended normally leaves the connection open for
            # the next request; only a broken one is closed.
            self.close_connection = True
        finally:
            with LOCK:
                if watcher in CLUSTER.watchers:
                    CLUSTER.watchers.remove(watcher)

    @staticmethod
    def line(type_, obj):
        return (json.dumps({"type": type_, "object": obj}, separators=(",", ":")) + "\n").encode()

    def patch(self, resource, obj, body, group):
        content_type = (self.headers.get("Content-Type") or "").split(";")[0]
        if content_type not in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            return self.fail(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                             "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
        try:
            patch = json.loads(body)
        except ValueError as error:
            return self.fail(400, "BadRequest", "error decoding patch: %s" % error)
        with LOCK:
            before = json.dumps(obj["spec"], sort_keys=True)
            updated = merge(obj, patch)
            for key in ("name", "namespace", "uid"):
                updated["metadata"][key] = obj["metadata"][key]
            if json.dumps(updated["spec"], sort_keys=True) != before:
                updated["metadata"]["generation"] = obj["metadata"].get("generation", 1) + 1
            CLUSTER.record(resource, "MODIFIED", updated)
            self.reply(200, updated)

    def scale(self, method, obj, body, group):
        meta = obj["metadata"]
        if method == "PATCH":
            content_type = (self.headers.get("Content-Type") or "").split(";")[0]
            if content_type != "application/merge-patch+json":
                return self.fail(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
            replicas = json.loads(body).get("spec", {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                return self.fail(422, "Invalid", 'Scale.autoscaling "%s" is invalid: spec.replicas: Invalid value: %s: must be greater than or equal to 0'
                                 % (meta["name"], json.dumps(replicas)),
                                 {"name": meta["name"], "group": "autoscaling", "kind": "Scale",
                                  "causes": [{"reason": "FieldValueInvalid", "message": "Invalid value", "field": "spec.replicas"}]})
            with LOCK:
                if obj["spec"]["replicas"] != replicas:
                    obj["spec"]["replicas"] = replicas
                    obj["metadata"]["generation"] += 1
                    CLUSTER.record("statefulsets" if obj["kind"] == "StatefulSet" else "deployments", "MODIFIED", obj)
        elif method != "GET":
            return self.fail(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        with LOCK:
            selector = ",".join("%s=%s" % kv for kv in sorted(obj["spec"]["selector"]["matchLabels"].items()))
            self.reply(200, {"kind": "Scale", "apiVersion": "autoscaling/v1",
                             "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
                                          "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]},
                             "spec": {"replicas": obj["spec"]["replicas"]},
                             "status": {"replicas": obj.get("status", {}).get("replicas", 0), "selector": selector}})

    def service_proxy(self, method, namespace, name_and_port, path):
        """The API server's service proxy: to a ready pod behind the Service, or its own Status
        when there is none (503, "no endpoints available") or the pod refuses the connection."""
        parts = name_and_port.split(":")
        name, port = (parts[1], parts[2]) if len(parts) == 3 else (parts[0], parts[1] if len(parts) > 1 else "")
        with LOCK:
            service = CLUSTER.objects["services"].get((namespace, name))
            if service is None:
                return self.fail(404, "NotFound", 'services "%s" not found' % name, {"name": name, "kind": "services"})
            ports = service["spec"]["ports"]
            if port and not any(str(p["port"]) == port or p.get("name") == port for p in ports):
                return self.fail(503, "ServiceUnavailable", 'no endpoints available for service "%s"' % name_and_port)
            selector = service["spec"]["selector"]
            ready = [p for (ns, _), p in CLUSTER.objects["pods"].items()
                     if ns == namespace and all(p["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
                     and "deletionTimestamp" not in p["metadata"] and p["status"]["phase"] == "Running"
                     and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))]
            answer = CLUSTER.service_health.get((namespace, name), {})
        if not ready:
            return self.fail(503, "ServiceUnavailable", 'no endpoints available for service "%s"' % name)
        if answer.get("refuse"):
            return self.fail(503, "ServiceUnavailable", "error trying to reach service: dial tcp %s:%s: connect: connection refused"
                             % (ready[0]["status"].get("podIP", "10.42.0.9"), port or ports[0]["port"]))
        if method != "GET":
            return self.reply(405, "Method Not Allowed\n", "text/plain; charset=utf-8")
        if path != "/health":
            return self.reply(404, "Cannot GET %s\n" % path, "text/html; charset=utf-8")
        if answer.get("delay"):
            time.sleep(answer["delay"])
        return self.reply(answer.get("status", 200), answer.get("body", {"status": "ok", "service": name}))

    def pod_log(self, pod, query):
        names = [c["name"] for c in pod["spec"]["containers"]]
        container = query.get("container")
        meta = pod["metadata"]
        if container is None:
            if len(names) != 1:
                return self.fail(400, "BadRequest", "a container name must be specified for pod %s, choose one of: [%s]"
                                 % (meta["name"], " ".join(names)))
            container = names[0]
        if container not in names:
            return self.fail(400, "BadRequest", 'container %s is not valid for pod %s' % (container, meta["name"]))
        key = (meta["namespace"], meta["name"], container)
        previous = query.get("previous") in ("true", "1")
        with LOCK:
            if previous and key not in CLUSTER.previous_logs:
                return self.fail(400, "BadRequest", 'previous terminated container "%s" in pod "%s" not found' % (container, meta["name"]))
            lines = list((CLUSTER.previous_logs if previous else CLUSTER.logs).get(key, []))
        tail = query.get("tailLines")
        if tail is not None:
            lines = lines[-int(tail):] if int(tail) > 0 else []
        stamps = query.get("timestamps") in ("true", "1")
        render = lambda entries: "".join(("%s %s\n" % e) if stamps else e[1] + "\n" for e in entries).encode()
        if query.get("follow") not in ("true", "1") or previous:
            return self.reply(200, render(lines), "text/plain")
        self.start_chunks("text/plain")
        try:
            if lines:
                self.chunk(render(lines))
            with LOCK:
                seen = len(CLUSTER.logs.get(key, []))
            while True:
                with LOCK:
                    CHANGED.wait(timeout=0.2)
                    entries = CLUSTER.logs.get(key, [])
                    fresh, seen = entries[seen:], len(entries)
                    gone = (meta["namespace"], meta["name"]) not in CLUSTER.objects["pods"]
                if fresh:
                    self.chunk(render(fresh))
                if gone or self.client_gone():
                    break
            self.end_chunks()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def pod_metrics(self, namespace, name, query):
        with LOCK:
            items = []
            for (ns, pod_name), pod in sorted(CLUSTER.objects["pods"].items()):
                if (namespace and ns != namespace) or (name and pod_name != name):
                    continue
                if pod["status"]["phase"] != "Running":
                    continue
                usage = CLUSTER.metrics.get((ns, pod_name))
                if usage is None:
                    continue
                items.append({"metadata": {"name": pod_name, "namespace": ns, "labels": pod["metadata"]["labels"],
                                           "creationTimestamp": now_rfc3339()},
                              "timestamp": now_rfc3339(), "window": "15s",
                              "containers": [{"name": c, "usage": {"cpu": cpu, "memory": memory}} for c, (cpu, memory) in sorted(usage.items())]})
            self.reply(200, {"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items})


class ControlHandler(http.server.BaseHTTPRequestHandler):
    """Plain HTTP on 127.0.0.1 for the tests: POST /control/<what> with a JSON body."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with LOCK:
            if self.path == "/control/state":
                return self.answer({
                    "resourceVersion": CLUSTER.rv,
                    "newestBookmark": CLUSTER.newest_bookmark,
                    "deployments": {"%s/%s" % k: {"replicas": d["spec"]["replicas"], "generation": d["metadata"]["generation"],
                                                  "templateAnnotations": d["spec"]["template"]["metadata"].get("annotations", {}),
                                                  "status": d.get("status", {})}
                                    for k, d in CLUSTER.objects["deployments"].items()},
                    "statefulsets": {"%s/%s" % k: {"replicas": d["spec"]["replicas"], "generation": d["metadata"]["generation"],
                                                   "templateAnnotations": d["spec"]["template"]["metadata"].get("annotations", {}),
                                                   "status": d.get("status", {})}
                                     for k, d in CLUSTER.objects["statefulsets"].items()},
                    "pods": {"%s/%s" % k: {"labels": p["metadata"]["labels"], "phase": p["status"]["phase"],
                                           "terminating": "deletionTimestamp" in p["metadata"],
                                           "restarts": sum(s["restartCount"] for s in p["status"].get("containerStatuses", []))}
                             for k, p in CLUSTER.objects["pods"].items()},
                })
            if self.path == "/control/requests":
                return self.answer(CLUSTER.requests)
        self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        args = json.loads(self.rfile.read(length) or b"{}")
        what = self.path.rsplit("/", 1)[-1]
        with LOCK:
            result = self.act(what, args)
        self.answer(result if result is not None else {"ok": True})

    def act(self, what, a):
        if what in ("deployment", "statefulset"):
            d = add_workload("StatefulSet" if what == "statefulset" else "Deployment", a["namespace"], a["name"], a.get("labels", {}),
                             a.get("replicas", 1), a.get("containers", [a["name"]]), a.get("ready", False))
            return {"name": d["metadata"]["name"]}
        if what == "service":
            service = {"kind": "Service", "apiVersion": "v1",
                       "metadata": {"name": a["name"], "namespace": a["namespace"], "uid": "uid-svc-" + a["name"],
                                    "creationTimestamp": now_rfc3339(), "labels": {"app.kubernetes.io/part-of": "dreamscape"}},
                       "spec": {"type": "ClusterIP", "clusterIP": "10.43.%d.%d" % (len(a["name"]) % 250, a["port"] % 250),
                                "clusterIPs": ["10.43.%d.%d" % (len(a["name"]) % 250, a["port"] % 250)],
                                "ports": [{"name": "http", "protocol": "TCP", "port": a["port"], "targetPort": a["port"]}],
                                "selector": a["selector"], "sessionAffinity": "None"},
                       "status": {"loadBalancer": {}}}
            CLUSTER.record("services", "ADDED", service)
            return None
        if what == "service-health":
            CLUSTER.service_health[(a["namespace"], a["name"])] = {k: v for k, v in a.items() if k not in ("namespace", "name")}
            return None
        if what == "scale":
            deployment = CLUSTER.objects["deployments"][(a["namespace"], a["name"])]
            deployment["spec"]["replicas"] = a["replicas"]
            deployment["metadata"]["generation"] += 1
            CLUSTER.record("deployments", "MODIFIED", deployment)
            return None
        if what == "controller":
            CLUSTER.controller_paused = a.get("paused", False)
            return None
        if what == "pod-state":
            pod = CLUSTER.objects["pods"][(a["namespace"], a["name"])]
            set_state(pod, a["state"])
            CLUSTER.record("pods", "MODIFIED", pod)
            return {"at": time.time()}
        if what == "log":
            key = (a["namespace"], a["pod"], a["container"])
            for text in a["lines"]:
                CLUSTER.logs.setdefault(key, []).append((log_time(), text))
            CHANGED.notify_all()
            return None
        if what == "metrics":
            CLUSTER.metrics_enabled = a.get("enabled", True)
            for name, usage in a.get("pods", {}).items():
                ns, pod = name.split("/", 1)
                CLUSTER.metrics[(ns, pod)] = {c: tuple(v) for c, v in usage.items()}
            return None
        if what == "hpa":
            hpa = {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
                   "metadata": {"name": a["name"], "namespace": a["namespace"], "uid": "uid-hpa-" + a["name"], "creationTimestamp": now_rfc3339()},
                   "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": a["target"]},
                            "minReplicas": a["min"], "maxReplicas": a["max"],
                            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
                   "status": {"currentReplicas": 2, "desiredReplicas": 2}}
            CLUSTER.record("horizontalpodautoscalers", "ADDED", hpa)
            return None
        if what == "token":
            CLUSTER.tokens[a["token"]] = (a["user"], time.time() + a["expiresIn"] if "expiresIn" in a else None)
            return None
        if what == "deny":
            CLUSTER.denied.append((a.get("user"), a["verb"], a["resource"]))
            return None
        if what == "allow-all":
            CLUSTER.denied = []
            return None
        if what == "compact":
            CLUSTER.compact()
            return {"compactedBelow": CLUSTER.compacted_below}
        if what == "end-watches":
            for watcher in CLUSTER.watchers:
                watcher.events.put("close")
            return None
        if what == "bookmarks":
            CLUSTER.bookmark_every = a.get("every")
            return None
        if what == "forget-requests":
            CLUSTER.requests = []
            return None
        if what == "churn":
            threading.Thread(target=churn, args=(a["namespace"], a["rate"], a["seconds"]), daemon=True).start()
            return None
        return {"error": "unknown control " + what}


def churn(namespace, rate, seconds):
    """`rate` pod changes a second for `seconds`: a condition's time moves, as kubelet status
    updates do, so every change is a MODIFIED event carrying a whole pod."""
    end = time.time() + seconds
    while time.time() < end:
        with LOCK:
            pods = [p for (ns, _), p in CLUSTER.objects["pods"].items() if ns == namespace]
            if pods:
                pod = random.choice(pods)
                pod["status"]["conditions"][0]["lastTransitionTime"] = now_rfc3339()
                CLUSTER.record("pods", "MODIFIED", pod)
        time.sleep(1.0 / rate)


class TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # podtop opens a connection per followed log at once: with socketserver's backlog of 5 the
    # rest were dropped and retried by the kernel a second later (Go's server listens with
    # the system's maximum).
    request_queue_size = 1024


class ControlServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(directory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate (CN=podtop-test,
    O=dreamscape:ops), as `kubeadm` would lay them out, made fresh for each run."""
    path = lambda name: os.path.join(directory, name)
    if os.path.exists(path("client.crt")):
        return
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.crt"),
            "-days", "2", "-subj", "/CN=podtop-test-ca")
    with open(path("server.ext"), "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    with open(path("client.ext"), "w") as ext:
        ext.write("extendedKeyUsage=clientAuth\n")
    for name, subject in (("server", "/CN=kube-apiserver"), ("client", "/O=dreamscape:ops/CN=podtop-test")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject)
        openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                "-CAcreateserial", "-out", path(name + ".crt"), "-days", "2", "-extfile", path(name + ".ext"))


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    make_certificates(directory)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
    tls.load_verify_locations(os.path.join(directory, "ca.crt"))
    tls.verify_mode = ssl.CERT_OPTIONAL
    api = TLSServer(("127.0.0.1", 0), APIHandler)
    api.tls = tls
    control = ControlServer(("127.0.0.1", 0), ControlHandler)
    for server in (api, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=controller, daemon=True).start()
    print(api.server_address[1], control.server_address[1], flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
