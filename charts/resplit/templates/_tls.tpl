{{/*
TLS. Every certificate and key comes from a Secret projected into one volume at resplit.tlsDir:
client.crt, client.key and client-ca.crt for resplit's clients; backend-ca.crt, backend.crt and
backend.key towards Redis and Sentinel. One volume means one atomic `..data` swap when any of the
Secrets is renewed, which resplit's config watch sees and answers with a reload. The files stay at
the top of the volume, never in a subdirectory: a subdirectory is a link into the timestamped
directory the swap deletes, so a watch on it would see the first renewal and none after.
*/}}

{{- define "resplit.tlsDir" -}}/etc/resplit/tls{{- end -}}

{{/* The projected volume's sources; also where a missing Secret stops the render. */}}
{{- define "resplit.tlsSources" -}}
{{- $client := .Values.tls.client -}}
{{- $backend := .Values.tls.backend -}}
{{- $files := list -}}
{{- if $client.enabled -}}
{{- $secret := required "tls.client.existingSecret is required when tls.client.enabled is true: a kubernetes.io/tls Secret with resplit's certificate (tls.crt, tls.key)" $client.existingSecret -}}
{{- $files = append $files (dict "secret" $secret "key" $client.certFilename "path" "client.crt") -}}
{{- $files = append $files (dict "secret" $secret "key" $client.keyFilename "path" "client.key") -}}
{{- if $client.verifyClient -}}
{{- $files = append $files (dict "secret" (default $secret $client.caSecret) "key" $client.caFilename "path" "client-ca.crt") -}}
{{- end -}}
{{- else if $client.verifyClient -}}
{{- fail "tls.client.verifyClient needs tls.client.enabled: true" -}}
{{- end -}}
{{- if $backend.enabled -}}
{{- with $backend.caSecret -}}
{{- $files = append $files (dict "secret" . "key" $backend.caFilename "path" "backend-ca.crt") -}}
{{- end -}}
{{- with $backend.existingSecret -}}
{{- $files = append $files (dict "secret" . "key" $backend.certFilename "path" "backend.crt") -}}
{{- $files = append $files (dict "secret" . "key" $backend.keyFilename "path" "backend.key") -}}
{{- end -}}
{{- end -}}
{{- /* One source per Secret, in the order first named. */ -}}
{{- $secrets := list -}}
{{- range $files }}{{ $secrets = append $secrets .secret }}{{ end -}}
{{- range $secret := $secrets | uniq }}
- secret:
    name: {{ $secret }}
    items:
      {{- range $files }}
      {{- if eq .secret $secret }}
      - key: {{ .key }}
        path: {{ .path }}
      {{- end }}
      {{- end }}
{{- end }}
{{- end -}}

{{/* client_tls and server_tls for the config file; a section the chart manages replaces the one in `config`. */}}
{{- define "resplit.tlsSettings" -}}
{{- $dir := include "resplit.tlsDir" . -}}
{{- $out := dict -}}
{{- with .Values.tls.client -}}
{{- if .enabled -}}
{{- $in := dict "enabled" true "cert_file" (printf "%s/client.crt" $dir) "key_file" (printf "%s/client.key" $dir) "verify_client" .verifyClient -}}
{{- if .verifyClient }}{{ $_ := set $in "ca_file" (printf "%s/client-ca.crt" $dir) }}{{ end -}}
{{- $_ := set $out "client_tls" $in -}}
{{- end -}}
{{- end -}}
{{- with .Values.tls.backend -}}
{{- if .enabled -}}
{{- $server := dict "enabled" true "verify" .verify "sni" .serverName -}}
{{- if .caSecret }}{{ $_ := set $server "ca_file" (printf "%s/backend-ca.crt" $dir) }}{{ end -}}
{{- if .existingSecret -}}
{{- $_ := set $server "cert_file" (printf "%s/backend.crt" $dir) -}}
{{- $_ := set $server "key_file" (printf "%s/backend.key" $dir) -}}
{{- end -}}
{{- $_ := set $out "server_tls" $server -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
