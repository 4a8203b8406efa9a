{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "opsplane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: <release>-<chart> unless the release name already holds the
chart name. Object names per service append "-<service>", so keep room for it.
*/}}
{{- define "opsplane.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "opsplane.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "opsplane.labels" -}}
helm.sh/chart: {{ include "opsplane.chart" . }}
app.kubernetes.io/name: {{ include "opsplane.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: opsplane
{{- end }}

{{/*
Selector labels of one component. Call with (dict "root" $ "component" "gateway").
*/}}
{{- define "opsplane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "opsplane.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of one component's objects. Call with (dict "root" $ "component" "gateway").
*/}}
{{- define "opsplane.componentLabels" -}}
{{ include "opsplane.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
A service's values: serviceDefaults with the service's own entry merged over them.
Call with (dict "root" $ "name" "gateway"); renders YAML, read back with fromYaml.
*/}}
{{- define "opsplane.serviceValues" -}}
{{- $own := index .root.Values.services .name | default dict }}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $own)) }}
{{- end }}

{{- define "opsplane.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "opsplane.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "opsplane.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{- define "opsplane.configMapName" -}}
{{- printf "%s-config" (include "opsplane.fullname" .) }}
{{- end }}

{{- define "opsplane.jwtConfigMapName" -}}
{{- printf "%s-jwt" (include "opsplane.fullname" .) }}
{{- end }}

{{- define "opsplane.cpJwtConfigMapName" -}}
{{- printf "%s-cp-jwt" (include "opsplane.fullname" .) }}
{{- end }}

{{/*
The Secret the services read: the user's existing one, or the chart's.
*/}}
{{- define "opsplane.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "opsplane.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The Secret the migration Job reads. A chart-created Secret does not exist yet when the
pre-install hook runs, so the Job then gets its own hook Secret (database keys only).
*/}}
{{- define "opsplane.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "opsplane.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Checks the chart-created Secret's values. Renders nothing; fails the render on a bad value.
*/}}
{{- define "opsplane.validateSecrets" -}}
{{- if not .Values.secrets.existingSecret }}
{{- $url := required "secrets.databaseUrl is required (postgres://OWNER:PASSWORD@HOST:5432/DB), or set secrets.existingSecret" .Values.secrets.databaseUrl }}
{{- if not (regexMatch "^postgres(ql)?://" $url) }}
{{- fail "secrets.databaseUrl must start with postgres:// or postgresql://" }}
{{- end }}
{{- $appPw := required "secrets.databaseAppPassword is required, or set secrets.existingSecret" .Values.secrets.databaseAppPassword }}
{{- if lt (len $appPw) 8 }}
{{- fail "secrets.databaseAppPassword must be at least 8 characters" }}
{{- end }}
{{- $jwt := required "secrets.jwtSecret is required (>= 32 characters), or set secrets.existingSecret" .Values.secrets.jwtSecret }}
{{- if lt (len $jwt) 32 }}
{{- fail "secrets.jwtSecret must be at least 32 characters" }}
{{- end }}
{{- $cpJwt := required "secrets.cpJwtSecret is required (>= 32 characters; the control plane signs operator tokens with it, the gateway verifies them), or set secrets.existingSecret" .Values.secrets.cpJwtSecret }}
{{- if lt (len $cpJwt) 32 }}
{{- fail "secrets.cpJwtSecret must be at least 32 characters" }}
{{- end }}
{{- if eq $cpJwt $jwt }}
{{- fail "secrets.cpJwtSecret must differ from secrets.jwtSecret (operator and tenant tokens have their own keys)" }}
{{- end }}
{{- if .Values.controlPlane.adminEmail }}
{{- $cpPw := required "secrets.cpAdminPassword is required when controlPlane.adminEmail is set (>= 12 characters), or set secrets.existingSecret" .Values.secrets.cpAdminPassword }}
{{- if lt (len $cpPw) 12 }}
{{- fail "secrets.cpAdminPassword must be at least 12 characters" }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Checks the control-plane values that do not depend on the Secret. Renders nothing.
*/}}
{{- define "opsplane.validateControlPlane" -}}
{{- with .Values.controlPlane.adminEmail }}
{{- if not (regexMatch "^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$" .) }}
{{- fail (printf "controlPlane.adminEmail must be an e-mail address (%s)" .) }}
{{- end }}
{{- end }}
{{- with .Values.controlPlane.host }}
{{- if not (regexMatch "^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$" .) }}
{{- fail (printf "controlPlane.host must be a host name, without scheme, port or path (%s)" .) }}
{{- end }}
{{- end }}
{{- $legacy := .Values.ingress.controlPlane | default dict }}
{{- if or (hasKey $legacy "enabled") (hasKey $legacy "host") (hasKey $legacy "service") }}
{{- fail "ingress.controlPlane.enabled/host/service are gone: the control plane is served by the gateway; set controlPlane.host instead" }}
{{- end }}
{{- end }}

{{/*
Non-secret settings shared by every process, as YAML "NAME: value" lines.
*/}}
{{- define "opsplane.commonConfig" -}}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
DATABASE_POOL_SIZE: {{ .Values.config.databasePoolSize | toString | quote }}
NATS_URL: {{ required "nats.url is required (e.g. nats://nats.nats.svc.cluster.local:4222)" .Values.nats.url | quote }}
RPC_TIMEOUT_MS: {{ .Values.config.rpcTimeoutMs | toString | quote }}
MIGRATE_ON_START: {{ ternary "false" "true" .Values.migration.enabled | quote }}
{{- with .Values.config.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- end }}

{{/*
Token settings for the services with jwt: true, as YAML "NAME: value" lines.
*/}}
{{- define "opsplane.jwtConfig" -}}
JWT_ISSUER: {{ .Values.jwt.issuer | quote }}
JWT_AUDIENCE: {{ .Values.jwt.audience | quote }}
JWT_ACCESS_TTL_S: {{ .Values.jwt.accessTtlSeconds | toString | quote }}
{{- end }}

{{/*
Operator-token settings for the services with cpJwt: true, as YAML "NAME: value" lines.
*/}}
{{- define "opsplane.cpJwtConfig" -}}
CP_JWT_ISSUER: {{ .Values.controlPlane.jwt.issuer | quote }}
CP_JWT_AUDIENCE: {{ .Values.controlPlane.jwt.audience | quote }}
CP_JWT_TTL_S: {{ .Values.controlPlane.jwt.ttlSeconds | toString | quote }}
{{- end }}

{{/*
Database secrets as container env entries. Call with (dict "root" $ "secretName" "...").
*/}}
{{- define "opsplane.databaseSecretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.databaseUrl }}
- name: DATABASE_APP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.databaseAppPassword }}
- name: DATABASE_APP_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .root.Values.secrets.keys.databaseAppUrl }}
      optional: true
{{- end }}

{{/*
Volumes and mounts that let the processes run with a read-only root filesystem.
*/}}
{{- define "opsplane.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "opsplane.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}
