package dashboard

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// chart is a horizontal bar chart drawn as inline SVG. Its geometry is
// computed here, so the template only places rectangles and text. Every
// chart is followed by a table with the same figures (its text
// alternative); the SVG's title says so.
type chart struct {
	ID    string
	Title string
	// Desc is the SVG's description for assistive technology.
	Desc          string
	Width, Height int
	Series        []chartSeries
	Groups        []chartGroup
	// Ticks are the vertical grid lines with their labels.
	Ticks []chartTick
	// LabelWidth is where the bars start; AxisY where the tick labels sit,
	// GridBottom where the grid lines end.
	LabelWidth, AxisY, GridBottom, PlotWidth int
}

type chartSeries struct {
	Name  string
	Class string
}

type chartGroup struct {
	// Lines are the label left of the bars, wrapped onto at most two
	// lines (shortened only beyond them); Full is the whole label.
	Lines []chartLine
	Full  string
	Bars  []chartBar
}

type chartLine struct {
	Text string
	Y    int
}

type chartBar struct {
	X, Y, W, H int
	Class      string
	// Text is the value written after the bar; TextX, TextY where.
	Text         string
	TextX, TextY int
	// Title names series and value for a tooltip.
	Title string
}

type chartTick struct {
	X    int
	Text string
}

// chartValue is one group's values, one per series, with their texts.
type chartValue struct {
	Label  string
	Values []float64
	Texts  []string
}

const (
	chartWidth      = 720
	chartLabelWidth = 240
	chartBarHeight  = 18
	chartBarGap     = 4
	chartGroupGap   = 14
	chartTop        = 8
	chartAxis       = 26
	chartLabelRunes = 27
	chartRightSpace = 90
)

// newChart lays out a chart of groups with one bar per series; max is the
// scale's end (0: the largest value, rounded up).
func newChart(id, title string, series []chartSeries, values []chartValue, maxValue float64, unit string) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Series: series, LabelWidth: chartLabelWidth,
		PlotWidth: chartWidth - chartLabelWidth - chartRightSpace}
	c.Desc = fmt.Sprintf("Balkendiagramm: %s. Die Tabelle unter dem Diagramm enthält dieselben Werte.", title)
	if maxValue <= 0 {
		for _, v := range values {
			for _, x := range v.Values {
				maxValue = math.Max(maxValue, x)
			}
		}
		maxValue = niceCeil(maxValue)
	}
	scale := float64(c.PlotWidth) / maxValue
	y := chartTop
	for _, v := range values {
		g := chartGroup{Full: v.Label}
		start := y
		for i, s := range series {
			val := 0.0
			if i < len(v.Values) {
				val = v.Values[i]
			}
			w := int(math.Round(math.Max(0, math.Min(val, maxValue)) * scale))
			text := ""
			if i < len(v.Texts) {
				text = v.Texts[i]
			}
			g.Bars = append(g.Bars, chartBar{
				X: c.LabelWidth, Y: y, W: w, H: chartBarHeight, Class: s.Class,
				Text: text, TextX: c.LabelWidth + w + 6, TextY: y + chartBarHeight - 5,
				Title: s.Name + ": " + text,
			})
			y += chartBarHeight + chartBarGap
		}
		// Centred on the group's bars, a line's height (15) apart.
		lines := wrapLabel(v.Label, chartLabelRunes)
		first := (start+y-chartBarGap)/2 + 5 - (len(lines)-1)*15/2
		for i, l := range lines {
			g.Lines = append(g.Lines, chartLine{Text: l, Y: first + i*15})
		}
		c.Groups = append(c.Groups, g)
		y += chartGroupGap - chartBarGap
	}
	c.AxisY = y + 12
	c.GridBottom = y
	c.Height = y + chartAxis
	for i := 0; i <= 4; i++ {
		v := maxValue * float64(i) / 4
		c.Ticks = append(c.Ticks, chartTick{X: c.LabelWidth + int(math.Round(v*scale)), Text: tickText(v, unit)})
	}
	return c
}

// niceCeil rounds a chart's maximum up to 1, 2 or 5 times a power of ten
// (at least 4, so four ticks fall on whole numbers).
func niceCeil(v float64) float64 {
	if v <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 4, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func tickText(v float64, unit string) string {
	if v == math.Trunc(v) {
		return number(int(v)) + unit
	}
	return decimal(v) + unit
}

// wrapLabel breaks s between words into at most two lines of n runes; a
// longer rest, or a first word longer than a line, is shortened.
func wrapLabel(s string, n int) []string {
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	words := strings.Fields(s)
	first := words[0]
	i := 1
	for ; i < len(words) && utf8.RuneCountInString(first+" "+words[i]) <= n; i++ {
		first += " " + words[i]
	}
	if utf8.RuneCountInString(first) > n || i == len(words) {
		return []string{shorten(s, n)}
	}
	return []string{first, shorten(strings.Join(words[i:], " "), n)}
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
