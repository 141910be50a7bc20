package main

import (
	"bufio"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tracecode/engine/resolve"
)

var chainContentsFlags struct {
	data, at, from, to, day string
}

// chinaTime is the zone --day reads a calendar day in (UTC+08:00, no
// daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

var chainContentsCmd = &cobra.Command{
	Use:   "contents --data DIR CODE [--at TIME | --from TIME --to TIME | --day YYYY-MM-DD]",
	Short: "What a case, pallet or SSCC unit held at an instant, or during a window or day",
	Long: `contents lists the direct children the container CODE held at any moment of a
window: those inside now and those taken out since (every unpacking keeps
the parent's history), each run with its packing time and record and, if
taken out, when and by which record. A child counts if it was packed at or
before the window's end and not taken out at or before its start.

The window is --at (one instant), --from and --to, or --day (a calendar
day in China Standard Time, UTC+08:00); without any, now. Times are RFC
3339 with a zone offset.`,
	Example: `  tracecode contents --data ./data '(00)395201230000000012' --day 2026-03-01
  tracecode contents --data ./data 'https://id.gs1.org/01/09520123456788/21/A0K3Q9ZC2M1XH' --at 2026-03-01T14:00:00+08:00`,
	Args: cobra.ExactArgs(1),
	RunE: func(cmd *cobra.Command, args []string) (err error) {
		f := &chainContentsFlags
		from, to, err := contentsWindow(f.at, f.from, f.to, f.day, time.Now())
		if err != nil {
			return err
		}
		e, err := storeOpen(f.data, true, nil)
		if err != nil {
			return err
		}
		defer storeClose(e, &err)
		c, err := e.Resolve(args[0])
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if c.Status == resolve.StatusNeverIssued || c.Org == nil {
			return fmt.Errorf("%s: not a code of this store (%s)", args[0], c.Reason)
		}
		h, err := e.Reports().ContentsDuring(c.Node, from, to)
		if err != nil {
			return err
		}
		out := bufio.NewWriter(cmd.OutOrStdout())
		defer out.Flush()
		tf := func(ms int64) string { return time.UnixMilli(ms).In(from.Location()).Format(time.RFC3339) }
		fmt.Fprintf(out, "%s held %d code(s) from %s to %s\n", e.AppendNodeCode(nil, c.Node), h.Count, tf(h.From), tf(h.To))
		for i := range h.Runs {
			r := &h.Runs[i]
			what := "SSCC units"
			if p, err := e.Issuance().Product(r.Product); r.Product != 0 && err == nil {
				what = p.NameZH
			}
			fmt.Fprintf(out, "  %d × %s, packed %s (record %d)", r.Len(), what, tf(r.Since), r.PackSeq)
			if r.UnpackSeq != 0 {
				fmt.Fprintf(out, ", taken out %s (record %d)", tf(r.Until), r.UnpackSeq)
			}
			fmt.Fprintln(out)
			for j := uint64(0); j < r.Len(); j++ {
				fmt.Fprintf(out, "    %s\n", e.AppendNodeCode(nil, r.Node(j)))
			}
		}
		return out.Flush()
	},
}

// contentsWindow turns contents' flags into a window: --at, --from with
// --to, or --day; none means now.
func contentsWindow(at, from, to, day string, now time.Time) (time.Time, time.Time, error) {
	parse := func(flag, v string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, fmt.Errorf("--%s %q is not RFC 3339 with a zone offset (2026-03-01T14:00:00+08:00)", flag, v)
		}
		return t, nil
	}
	n := 0
	for _, v := range []string{at, from + to, day} {
		if v != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return time.Time{}, time.Time{}, errors.New("give one of --at, --from with --to, or --day")
	case at != "":
		t, err := parse("at", at)
		return t, t, err
	case from != "" || to != "":
		if from == "" || to == "" {
			return time.Time{}, time.Time{}, errors.New("a window needs both --from and --to")
		}
		f, err := parse("from", from)
		if err != nil {
			return f, f, err
		}
		t, err := parse("to", to)
		return f, t, err
	case day != "":
		d, err := time.ParseInLocation("2006-01-02", day, chinaTime)
		if err != nil {
			return d, d, fmt.Errorf("--day %q is not a date YYYY-MM-DD", day)
		}
		return d, d.AddDate(0, 0, 1).Add(-time.Millisecond), nil
	}
	return now, now, nil
}

func init() {
	f := &chainContentsFlags
	storeDataFlag(chainContentsCmd, &f.data)
	fl := chainContentsCmd.Flags()
	fl.StringVar(&f.at, "at", "", "one instant (RFC 3339)")
	fl.StringVar(&f.from, "from", "", "start of the window (RFC 3339, with --to)")
	fl.StringVar(&f.to, "to", "", "end of the window (RFC 3339, with --from)")
	fl.StringVar(&f.day, "day", "", "a calendar day YYYY-MM-DD in China Standard Time (UTC+08:00)")
	rootCmd.AddCommand(chainContentsCmd)
}
