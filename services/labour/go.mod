module github.com/integrationsplan/integrationsplan/services/labour

go 1.26
