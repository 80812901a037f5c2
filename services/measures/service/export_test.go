package service

import "github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"

// SetIndicatorHooks lets tests adjust the derivation engine's configuration.
func SetIndicatorHooks(c *Config, f func(*derive.Config)) { c.indicatorHooks = f }
