package label

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Library holds label templates from a directory, general and per
// product:
//
//	DIR/NAME.json          a template every product may use
//	DIR/GTIN/NAME.json     a template of the product with that GTIN-14
//
// A product's own template of a name hides a general one, which hides a
// built-in one. Templates are files, not store records: they are layout
// that a printing line keeps beside its printer settings and changes
// without a ledger entry, and a bad one is refused when the library is
// loaded, naming the file.
type Library struct {
	general map[string]*Template
	product map[string]map[string]*Template // GTIN-14 → name → template
}

// LoadLibrary reads every template under dir (see Library). An empty dir
// gives a library of the built-ins only.
func LoadLibrary(dir string) (*Library, error) {
	l := &Library{general: map[string]*Template{}, product: map[string]map[string]*Template{}}
	if dir == "" {
		return l, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("label: templates: %w", err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir() && len(e.Name()) == 14 && strings.Trim(e.Name(), "0123456789") == "":
			sub, err := os.ReadDir(p)
			if err != nil {
				return nil, fmt.Errorf("label: templates: %w", err)
			}
			for _, s := range sub {
				if s.IsDir() || !strings.HasSuffix(s.Name(), ".json") {
					continue
				}
				t, err := ReadTemplateFile(filepath.Join(p, s.Name()))
				if err != nil {
					return nil, err
				}
				if l.product[e.Name()] == nil {
					l.product[e.Name()] = map[string]*Template{}
				}
				l.product[e.Name()][t.Name] = t
			}
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".json"):
			t, err := ReadTemplateFile(p)
			if err != nil {
				return nil, err
			}
			l.general[t.Name] = t
		}
	}
	return l, nil
}

// ReadTemplateFile reads one template file; its name is the file's name
// without .json (a "name" inside must agree).
func ReadTemplateFile(path string) (*Template, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("label: template: %w", err)
	}
	defer f.Close()
	t, err := ParseTemplate(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if t.Name != "" && t.Name != name {
		return nil, fmt.Errorf("%s: %w: named %q inside", path, ErrTemplate, t.Name)
	}
	t.Name = name
	return t, nil
}

// Template returns the template called name for the product with GTIN-14
// gtin ("" for a product without one): the product's own, else a general
// one, else a built-in.
func (l *Library) Template(gtin, name string) (*Template, error) {
	if l != nil {
		if t := l.product[gtin][name]; t != nil && gtin != "" {
			return t, nil
		}
		if t := l.general[name]; t != nil {
			return t, nil
		}
	}
	t, err := Builtin(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no template %q for product %s (built-ins: %s)", ErrTemplate, name, gtin, strings.Join(BuiltinNames(), ", "))
	}
	return t, nil
}
