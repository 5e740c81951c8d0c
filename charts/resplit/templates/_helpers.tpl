{{/* Names, labels and the image reference shared by every template of the chart. */}}

{{- define "resplit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "resplit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "resplit.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{/* Selector labels: name and instance only, because selectors are immutable. */}}
{{- define "resplit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "resplit.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "resplit.labels" -}}
{{ include "resplit.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: resplit
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "resplit.image" -}}
{{- $repo := .Values.image.repository -}}
{{- if .Values.image.registry }}{{ $repo = printf "%s/%s" .Values.image.registry $repo }}{{ end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "resplit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "resplit.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "resplit.configMapName" -}}
{{- default (include "resplit.fullname" .) .Values.existingConfigmap -}}
{{- end -}}

{{/* Where each Secret is mounted; the config refers to the files, which update in place. */}}
{{- define "resplit.secretDir" -}}/etc/resplit/secrets{{- end -}}

{{/*
The configuration file: values.config over what the chart must decide itself (the listen and
admin addresses follow containerPorts; passwords and certificates are file references to the
mounted Secrets).
*/}}
{{- define "resplit.config" -}}
{{- $c := deepCopy .Values.config -}}
{{- $_ := set $c "listen" (merge (dict "address" (printf "0.0.0.0:%d" (int .Values.containerPorts.redis))) (omit (default dict $c.listen) "address")) -}}
{{- $_ := set $c "admin" (dict "address" (printf "0.0.0.0:%d" (int .Values.containerPorts.metrics))) -}}
{{- $auth := default dict (deepCopy (default dict $c.auth)) -}}
{{- with .Values.auth.backend.existingSecret -}}
{{- $backend := dict "username" $.Values.auth.backend.username "password" (dict "file" (printf "%s/backend/%s" (include "resplit.secretDir" $) $.Values.auth.backend.existingSecretPasswordKey)) -}}
{{- $_ := set $auth "backend" $backend -}}
{{- end -}}
{{- if .Values.auth.clients -}}
{{- $clients := list -}}
{{- range $i, $client := .Values.auth.clients -}}
{{- $clients = append $clients (dict "username" $client.username "password" (dict "file" (printf "%s/client-%d/%s" (include "resplit.secretDir" $) $i ($client.existingSecretPasswordKey | default "password")))) -}}
{{- end -}}
{{- $_ := set $auth "clients" $clients -}}
{{- end -}}
{{- if $auth }}{{ $_ := set $c "auth" $auth }}{{ end -}}
{{- if and $c.sentinel .Values.auth.sentinel.existingSecret -}}
{{- $s := deepCopy $c.sentinel -}}
{{- $_ := set $s "auth" (dict "username" .Values.auth.sentinel.username "password" (dict "file" (printf "%s/sentinel/%s" (include "resplit.secretDir" .) .Values.auth.sentinel.existingSecretPasswordKey))) -}}
{{- $_ := set $c "sentinel" $s -}}
{{- end -}}
{{- range $section, $settings := include "resplit.tlsSettings" . | fromYaml -}}
{{- $_ := set $c $section $settings -}}
{{- end -}}
{{- toYaml $c -}}
{{- end -}}
