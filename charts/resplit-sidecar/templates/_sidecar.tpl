{{/*
resplit as a sidecar of an application pod. Every template takes the application chart's root
context and reads its `.Values.resplit` block over this chart's defaults.

  spec:
    template:
      metadata:
        annotations: {{ include "resplit-sidecar.podAnnotations" . | nindent 8 }}
      spec:
        {{- include "resplit-sidecar.hostAliases" . | nindent 6 }}
        initContainers: {{- include "resplit-sidecar.initContainers" . | nindent 8 }}
        containers:
          {{- include "resplit-sidecar.containers" . | nindent 8 }}
          - name: app ...
        volumes: {{- include "resplit-sidecar.volumes" . | nindent 8 }}
*/}}

{{/* The effective `resplit` values: the application's `resplit:` block over the defaults below. */}}
{{- define "resplit-sidecar.values" -}}
{{- $r := include "resplit-sidecar.defaults" . | fromYaml -}}
{{- $_ := include "resplit-sidecar.deepMerge" (dict "dst" $r "src" (default dict .Values.resplit)) -}}
{{- toYaml $r -}}
{{- end -}}

{{/*
Sets every key of .src into .dst, recursing into maps. Sprig's merge and mergeOverwrite would
treat a `false` (or 0, or "") from the application as empty and keep the default instead.
*/}}
{{- define "resplit-sidecar.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- $_ := include "resplit-sidecar.deepMerge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "resplit-sidecar.defaults" -}}
enabled: true
native: auto
# tag "" is the resplit version this chart was released with (its appVersion).
image: {registry: ghcr.io, repository: resplit/resplit, tag: "", digest: "", pullPolicy: IfNotPresent}
config:
  master: {address: "redis-master:6379"}
  replicas: {discovery: dns, address: "redis-replicas-headless:6379"}
  readiness: {require_master: false}
existingConfigMap: ""
configReload: inplace
ports: {redis: 6379, metrics: 9126}
awaitReady: {enabled: true, timeout: 60s}
hostAliases: []
backendPasswordSecret: {name: "", key: redis-password, username: ""}
# TLS from existing Secrets (see _tls.tpl and README); resplit's config watch applies renewed ones.
tls:
  client: {enabled: false, existingSecret: "", certFilename: tls.crt, keyFilename: tls.key, verifyClient: false, caSecret: "", caFilename: ca.crt}
  backend: {enabled: false, caSecret: "", caFilename: ca.crt, existingSecret: "", certFilename: tls.crt, keyFilename: tls.key, verify: true, serverName: ""}
resources: {requests: {cpu: 20m, memory: 24Mi}, limits: {memory: 96Mi}}
securityContext:
  runAsUser: 65532
  runAsGroup: 65532
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  privileged: false
  capabilities: {drop: ["ALL"]}
  seccompProfile: {type: RuntimeDefault}
startupProbe: {periodSeconds: 1, failureThreshold: 30, timeoutSeconds: 1}
livenessProbe: {periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2}
readinessProbe: {periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2}
metrics: {podMonitor: {enabled: false, interval: 30s, additionalLabels: {}, selector: {}}}
{{- end -}}

{{/* true when the sidecar is rendered as a native sidecar (an init container that keeps running). */}}
{{- define "resplit-sidecar.isNative" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- $native := toString $r.native -}}
{{- if not (has $native (list "auto" "true" "false")) -}}
{{- fail (printf "resplit.native must be auto, true or false, not %q" $native) -}}
{{- end -}}
{{- if not (has $r.configReload (list "inplace" "rollout")) -}}
{{- fail (printf "resplit.configReload must be inplace or rollout, not %q" (toString $r.configReload)) -}}
{{- end -}}
{{- if eq $native "auto" -}}
{{- semverCompare ">=1.29.0-0" .Capabilities.KubeVersion.Version -}}
{{- else -}}
{{- $native -}}
{{- end -}}
{{- end -}}

{{- define "resplit-sidecar.appVersion" -}}0.1.0{{- end -}}

{{- define "resplit-sidecar.name" -}}
{{- printf "%s-resplit" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "resplit-sidecar.configMapName" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- default (include "resplit-sidecar.name" .) $r.existingConfigMap -}}
{{- end -}}

{{- define "resplit-sidecar.config" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- $c := deepCopy $r.config -}}
{{- /* Loopback only: the application is in the same pod; the admin port serves the kubelet's probes. */ -}}
{{- $_ := set $c "listen" (merge (dict "address" (printf "127.0.0.1:%d" (int $r.ports.redis))) (omit (default dict $c.listen) "address")) -}}
{{- $_ := set $c "admin" (dict "address" (printf "0.0.0.0:%d" (int $r.ports.metrics))) -}}
{{- with $r.backendPasswordSecret.name -}}
{{- $auth := deepCopy (default dict $c.auth) -}}
{{- $_ := set $auth "backend" (dict "username" $r.backendPasswordSecret.username "password" (dict "file" (printf "/etc/resplit/secrets/backend/%s" $r.backendPasswordSecret.key))) -}}
{{- $_ := set $c "auth" $auth -}}
{{- end -}}
{{- range $section, $settings := include "resplit-sidecar.tlsSettings" $r | fromYaml -}}
{{- $_ := set $c $section $settings -}}
{{- end -}}
{{- /* Values may use templates, e.g. "redis-master.{{ .Release.Namespace }}.svc.cluster.local:6379". */ -}}
{{- tpl (toYaml $c) . -}}
{{- end -}}

{{/* Where a Job's last step POSTs to stop a classic sidecar (a native one stops by itself). */}}
{{- define "resplit-sidecar.quitURL" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
http://127.0.0.1:{{ $r.ports.metrics }}/quitquitquit
{{- end -}}

{{/* The ConfigMap with resplit's configuration; render it from a template file of the application chart. */}}
{{- define "resplit-sidecar.configMap" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled (not $r.existingConfigMap) }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "resplit-sidecar.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: resplit
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/component: sidecar
    app.kubernetes.io/managed-by: {{ .Release.Service }}
data:
  resplit.yaml: |
    {{- include "resplit-sidecar.config" . | nindent 4 }}
{{- end }}
{{- end -}}

{{/* The container itself; `native` adds restartPolicy: Always, classic adds the postStart wait. */}}
{{- define "resplit-sidecar.container" -}}
{{- $ctx := .ctx -}}
{{- $r := include "resplit-sidecar.values" $ctx | fromYaml -}}
{{- /* .Chart is the application's chart here, so the default tag is this library's appVersion. */ -}}
{{- $image := printf "%s/%s:%s" $r.image.registry $r.image.repository ($r.image.tag | default (include "resplit-sidecar.appVersion" .)) -}}
{{- if $r.image.digest }}{{ $image = printf "%s/%s@%s" $r.image.registry $r.image.repository $r.image.digest }}{{ end -}}
- name: resplit
  image: {{ $image }}
  imagePullPolicy: {{ $r.image.pullPolicy }}
  {{- if .native }}
  restartPolicy: Always
  {{- end }}
  args: ["--config", "/etc/resplit/resplit.yaml"]
  ports:
    # Unique within the pod and at most 15 characters: the application may use http-metrics.
    - name: resplit-metrics
      containerPort: {{ $r.ports.metrics }}
      protocol: TCP
  {{- if .native }}
  # Application containers start once this passes: resplit has loaded its config and listens.
  startupProbe:
    httpGet: {path: /readyz, port: resplit-metrics}
    {{- toYaml $r.startupProbe | nindent 4 }}
  {{- end }}
  livenessProbe:
    httpGet: {path: /healthz, port: resplit-metrics}
    {{- toYaml $r.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet: {path: /readyz, port: resplit-metrics}
    {{- toYaml $r.readinessProbe | nindent 4 }}
  {{- if and (not .native) $r.awaitReady.enabled }}
  lifecycle:
    # The kubelet starts the next container only after this hook returns.
    postStart:
      exec:
        command: ["/usr/local/bin/resplit", "await-ready", "--url", "http://127.0.0.1:{{ $r.ports.metrics }}/readyz", "--timeout", "{{ $r.awaitReady.timeout }}"]
  {{- end }}
  resources:
    {{- toYaml $r.resources | nindent 4 }}
  securityContext:
    {{- toYaml $r.securityContext | nindent 4 }}
  volumeMounts:
    # The whole directory, never a subPath: resplit watches it for ConfigMap updates.
    - name: resplit-config
      mountPath: /etc/resplit
      readOnly: true
    {{- if $r.backendPasswordSecret.name }}
    - name: resplit-secret-backend
      mountPath: /etc/resplit/secrets/backend
      readOnly: true
    {{- end }}
    {{- if include "resplit-sidecar.tlsSources" $r }}
    # A directory, never a subPath: a renewed Secret then replaces the files in place.
    - name: resplit-tls
      mountPath: {{ include "resplit-sidecar.tlsDir" . }}
      readOnly: true
    {{- end }}
{{- end -}}

{{/* Entries for initContainers: the native sidecar, or nothing. */}}
{{- define "resplit-sidecar.initContainers" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled (eq (include "resplit-sidecar.isNative" .) "true") -}}
{{- include "resplit-sidecar.container" (dict "ctx" . "native" true) -}}
{{- end -}}
{{- end -}}

{{/* Entries for containers, placed first: the classic sidecar, or nothing. */}}
{{- define "resplit-sidecar.containers" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled (ne (include "resplit-sidecar.isNative" .) "true") -}}
{{- include "resplit-sidecar.container" (dict "ctx" . "native" false) -}}
{{- end -}}
{{- end -}}

{{- define "resplit-sidecar.volumes" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if $r.enabled -}}
- name: resplit-config
  configMap:
    name: {{ include "resplit-sidecar.configMapName" . }}
{{- if $r.backendPasswordSecret.name }}
- name: resplit-secret-backend
  secret:
    secretName: {{ $r.backendPasswordSecret.name }}
    items:
      - key: {{ $r.backendPasswordSecret.key }}
        path: {{ $r.backendPasswordSecret.key }}
{{- end }}
{{- with include "resplit-sidecar.tlsSources" $r | trim }}
- name: resplit-tls
  projected:
    sources:
      {{- . | nindent 6 }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Pod annotations: a config checksum when configReload is rollout. */}}
{{- define "resplit-sidecar.podAnnotations" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled (eq $r.configReload "rollout") -}}
checksum/resplit-config: {{ include "resplit-sidecar.config" . | sha256sum }}
{{- end -}}
{{- end -}}

{{/* hostAliases mapping Redis Service names to the sidecar, for applications that cannot be changed. */}}
{{- define "resplit-sidecar.hostAliases" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled $r.hostAliases -}}
hostAliases:
  - ip: "127.0.0.1"
    hostnames:
      {{- toYaml $r.hostAliases | nindent 6 }}
{{- end -}}
{{- end -}}

{{/* A PodMonitor for the sidecars (the application's Service does not expose resplit's port). */}}
{{- define "resplit-sidecar.podMonitor" -}}
{{- $r := include "resplit-sidecar.values" . | fromYaml -}}
{{- if and $r.enabled $r.metrics.podMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "resplit-sidecar.name" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: resplit
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/component: metrics
    {{- with $r.metrics.podMonitor.additionalLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- toYaml (default (dict "app.kubernetes.io/instance" .Release.Name) $r.metrics.podMonitor.selector) | nindent 6 }}
  podMetricsEndpoints:
    - port: resplit-metrics
      path: /metrics
      interval: {{ $r.metrics.podMonitor.interval }}
{{- end }}
{{- end -}}
