{{- define "common.name" -}}
common-{{ .Chart.Name }}
{{- end -}}
