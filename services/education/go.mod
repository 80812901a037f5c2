module github.com/integrationsplan/integrationsplan/services/education

go 1.26
