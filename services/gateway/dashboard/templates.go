package dashboard

import (
	"html/template"
	"net/url"
)

var funcs = template.FuncMap{
	"num":     number,
	"dec":     decimal,
	"percent": percent,
	// csv is the link to a table's CSV export.
	"csv": func(path, name string) string {
		return path + "?" + url.Values{"format": {"csv"}, "tabelle": {name}}.Encode()
	},
	"add": func(a, b int) int { return a + b },
	// dl is the argument of the csvlink template.
	"dl": func(path, name, caption string) map[string]string {
		return map[string]string{"Path": path, "Name": name, "Caption": caption}
	},
}

// pageNames are the pages, each a file templates/<name>.html defining
// "title" and "content" for templates/layout.html.
var pageNames = []string{"overview", "measure", "education", "labour", "live", "login"}

func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}
