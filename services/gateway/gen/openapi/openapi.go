// Package openapi embeds the OpenAPI document of the gateway's JSON routes,
// generated from the protos by protoc-gen-openapiv2 (make generate).
package openapi

import _ "embed"

// Document is the OpenAPI v2 document, JSON.
//
//go:embed integrationsplan.swagger.json
var Document []byte
