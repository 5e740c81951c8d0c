{{/*
TLS of the sidecar. Each template takes the effective `resplit` values (resplit-sidecar.values).
Every certificate and key comes from a Secret projected into one volume at /etc/resplit/tls:
client.crt, client.key and client-ca.crt for the application's connections to the sidecar (e.g.
an application that insists on rediss://, redirected by hostAliases); backend-ca.crt, backend.crt
and backend.key towards Redis and Sentinel. One volume means one atomic `..data` swap when a Secret
is renewed, which resplit's config watch sees and answers with a reload. The files stay at the top
of the volume, never in a subdirectory: a subdirectory is a link into the timestamped directory
the swap deletes, so a watch on it would see the first renewal and none after.
*/}}

{{- define "resplit-sidecar.tlsDir" -}}/etc/resplit/tls{{- end -}}

{{/* The projected volume's sources; also where a missing Secret stops the render. */}}
{{- define "resplit-sidecar.tlsSources" -}}
{{- $client := .tls.client -}}
{{- $backend := .tls.backend -}}
{{- $files := list -}}
{{- if $client.enabled -}}
{{- $secret := required "resplit.tls.client.existingSecret is required when resplit.tls.client.enabled is true: a kubernetes.io/tls Secret with the sidecar's certificate (tls.crt, tls.key)" $client.existingSecret -}}
{{- $files = append $files (dict "secret" $secret "key" $client.certFilename "path" "client.crt") -}}
{{- $files = append $files (dict "secret" $secret "key" $client.keyFilename "path" "client.key") -}}
{{- if $client.verifyClient -}}
{{- $files = append $files (dict "secret" (default $secret $client.caSecret) "key" $client.caFilename "path" "client-ca.crt") -}}
{{- end -}}
{{- else if $client.verifyClient -}}
{{- fail "resplit.tls.client.verifyClient needs resplit.tls.client.enabled: true" -}}
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

{{/* client_tls and server_tls for the config file; a section set here replaces the one in `config`. */}}
{{- define "resplit-sidecar.tlsSettings" -}}
{{- $dir := include "resplit-sidecar.tlsDir" . -}}
{{- $out := dict -}}
{{- with .tls.client -}}
{{- if .enabled -}}
{{- $in := dict "enabled" true "cert_file" (printf "%s/client.crt" $dir) "key_file" (printf "%s/client.key" $dir) "verify_client" .verifyClient -}}
{{- if .verifyClient }}{{ $_ := set $in "ca_file" (printf "%s/client-ca.crt" $dir) }}{{ end -}}
{{- $_ := set $out "client_tls" $in -}}
{{- end -}}
{{- end -}}
{{- with .tls.backend -}}
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
