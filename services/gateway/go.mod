module github.com/integrationsplan/integrationsplan/services/gateway

go 1.26
