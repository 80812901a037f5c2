// Package education is the education service; it is not built yet (see the issues).
package education
