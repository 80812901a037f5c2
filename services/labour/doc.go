// Package labour is the labour service; it is not built yet (see the issues).
package labour
