package dashboard

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// table is a table as the CSV export writes it: the same figures as the
// page's table, plain text.
type table struct {
	// Name is the tabelle= parameter and part of the file name.
	Name   string
	Header []string
	Rows   [][]string
}

// CSV files are written for German spreadsheets: UTF-8 with a byte order
// mark (without it Excel reads UTF-8 as Windows-1252 and breaks umlauts),
// semicolons between fields and decimal commas. Excel in a German locale
// splits a double-clicked CSV at the list separator, which is ";" there
// because "," is the decimal separator; a comma-separated file would open
// as one column, and numbers like 42,5 need the comma anyway. LibreOffice
// asks and detects ";" as well.
const csvSeparator = ';'

var bom = []byte{0xEF, 0xBB, 0xBF}

// numeric matches the numbers the dashboard writes (1.234, 42,5, 42,5 %),
// which are safe at the start of a cell.
var numeric = regexp.MustCompile(`^-?[0-9][0-9.]*(,[0-9]+)?( %)?$`)

// cell defuses text a spreadsheet would run as a formula (CSV injection):
// a title starting with =, +, -, @ or a control character is prefixed with
// an apostrophe, which spreadsheets show as text.
func cell(s string) string {
	if s == "" || numeric.MatchString(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func writeCSV(w http.ResponseWriter, page string, t table) {
	var buf bytes.Buffer
	buf.Write(bom)
	cw := csv.NewWriter(&buf)
	cw.Comma = csvSeparator
	cw.UseCRLF = true
	_ = cw.Write(t.Header)
	for _, row := range t.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = cell(c)
		}
		_ = cw.Write(out)
	}
	cw.Flush()
	name := fmt.Sprintf("integrationsplan-%s-%s-%s.csv", page, t.Name, time.Now().In(berlin).Format("2006-01-02"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(buf.Bytes())
}

// csvName checks a tabelle= parameter.
var csvName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)

func findTable(tables []table, name string) (table, bool) {
	if !csvName.MatchString(name) {
		return table{}, false
	}
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	return table{}, false
}

func tableNames(tables []table) string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}
