package server

import (
	"io"
	"log/slog"

	"tracecode/engine"
	"tracecode/engine/code"
	"tracecode/engine/resolve"
)

// AppendPublicChain resolves input and appends the resolver's public JSON
// answer for it (the PublicChain of GET /resolve?code=INPUT, with the
// digital links on publicBase) to dst, without the scan counts: nothing
// is recorded. `tracecode resolve --json` prints it, so the command and
// the resolver share one encoder. It returns the resolved chain (for its
// status), or the error of input that is not a code at all.
func AppendPublicChain(dst []byte, eng *engine.Engine, publicBase, input string) ([]byte, *resolve.Chain, error) {
	s := &Server{eng: eng, cfg: Config{PublicBase: publicBase}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		frags: newFragCache()}
	v := &chainView{level: levelItem, today: eng.Today()}
	if err := eng.ResolveInto(&v.ch, input); err != nil {
		return dst, nil, err
	}
	r := &publicReq{kind: kindQuery, level: levelItem, key: []byte(input), input: []byte(input)}
	v.fromChain(&v.ch)
	v.res.Format = code.Detect(v.ch.Input)
	if v.found {
		s.fillChain(v, false)
	}
	w := jw{b: dst, loc: eng.Location()}
	s.appendChain(&w, r, v, false)
	return w.b, &v.ch, nil
}
