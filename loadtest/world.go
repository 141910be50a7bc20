package loadtest

import (
	"fmt"

	"tracecode/bench/worldfile"
)

// WorldLot is one lot of a bench world as loaded into a Corpus: its
// codes are the Digital Link (and /resolve) pool entries First ..
// First+Count-1.
type WorldLot struct {
	Name         string
	First, Count uint32
}

// World is what LoadWorld read.
type World struct {
	Dir    string
	Items  int   // packed items in the world
	Minted int64 // codes minted in the world
	Codes  int   // sampled codes added to the corpus
	Lots   []WorldLot
}

// Lot returns the lot named name; "" names the first.
func (w *World) Lot(name string) (WorldLot, bool) {
	for _, l := range w.Lots {
		if name == "" || l.Name == name {
			return l, true
		}
	}
	return WorldLot{}, false
}

// LoadWorld adds the sampled codes of the bench world in dir (`tracecode
// bench --world DIR`: DIR/world.json and DIR/codes.tsv, bench/worldfile)
// to c, lot by lot, and says where each lot's codes are. The sample is
// uniform over the world's packed items; Mix.Hot can then send a share of
// the traffic to one lot.
func LoadWorld(c *Corpus, dir string) (World, error) {
	m, err := worldfile.Read(dir)
	if err != nil {
		return World{}, fmt.Errorf("loadtest: %w", err)
	}
	w := World{Dir: dir, Items: m.Items, Minted: m.Minted}
	idx := map[string]int{}
	for _, l := range m.Lots {
		idx[l.Name] = -1
	}
	cur := ""
	err = worldfile.ReadSample(dir, func(lot, code string) {
		if lot != cur {
			cur = lot
			if i, ok := idx[lot]; ok && i < 0 {
				idx[lot] = len(w.Lots)
				w.Lots = append(w.Lots, WorldLot{Name: lot, First: uint32(c.Len(FormDL))})
			}
		}
		before := c.Len(FormDL)
		c.Add(code)
		if c.Len(FormDL) > before {
			w.Codes++
			if i, ok := idx[lot]; ok && i >= 0 && w.Lots[i].First+w.Lots[i].Count == uint32(before) {
				w.Lots[i].Count++
			}
		}
	})
	if err != nil {
		return w, fmt.Errorf("loadtest: %w", err)
	}
	if w.Codes == 0 {
		return w, fmt.Errorf("loadtest: world %s: no Digital Link codes in %s", dir, worldfile.SampleFile)
	}
	return w, nil
}
