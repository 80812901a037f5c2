// Package gateway is the gateway service; it is not built yet (see the issues).
package gateway
