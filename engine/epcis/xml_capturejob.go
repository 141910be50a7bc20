package epcis

import (
	"encoding/xml"
	"io"
	"strconv"
	"time"
)

// CaptureJob is the status of an asynchronous capture in the EPCIS 2.0
// REST binding (the XSD's EPCISCaptureJob, the JSON capture-job object).
type CaptureJob struct {
	CaptureID string
	Running   bool
	Success   bool
	// ErrorBehaviour is "rollback" (nothing is applied when an event
	// fails) or "proceed" (the valid events are).
	ErrorBehaviour string
	CreatedAt      time.Time // zero: absent
	FinishedAt     time.Time // zero: absent (still running)
	// Errors are RFC 7807 problems; ErrorFile, a URL of a file listing
	// them, is the alternative for long lists.
	Errors    []Problem
	ErrorFile string
}

// Problem is an RFC 7807 problem report, as EPCIS 2.0 reports errors.
type Problem struct {
	Type     string // a URI
	Title    string
	Status   int // 0: absent
	Detail   string
	Instance string // a URI, or ""
}

// ParseCaptureJob reads an EPCIS 2.0 XML EPCISCaptureJob, checked against
// the XSD's rules (required attributes and elements, booleans, times,
// captureErrorBehaviour rollback or proceed). Errors are a *DocumentError
// naming the element and line.
func ParseCaptureJob(r io.Reader) (*CaptureJob, error) {
	opts := ParseOptions{}
	opts.ensureDefaults()
	lr := &limitReader{r: r, n: 1 << 20}
	x := &xparser{parser: parser{opts: opts, lr: lr, idx: -1}, prefixOf: map[string]string{}, nsOf: map[string]string{}}
	x.dec = xml.NewDecoder(lr)
	x.dec.Strict = true
	job := x.captureJob()
	if len(x.errs) > 0 {
		return nil, &DocumentError{Errors: x.errs, Dropped: x.dropped}
	}
	return job, nil
}

func (x *xparser) captureJob() *CaptureJob {
	var root xml.StartElement
	for {
		tok, err := x.dec.Token()
		if err != nil {
			_ = x.readErr(err)
			return nil
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "EPCISCaptureJob" || root.Name.Space != NSEPCIS2 {
		x.failAt(x.line(), root.Name.Local, "root element {%s}%s is not an EPCIS 2.0 EPCISCaptureJob", root.Name.Space, root.Name.Local)
		return nil
	}
	job := &CaptureJob{}
	line := x.line()
	boolAttr := func(name string) bool {
		v, ok := attr(&root, name)
		if !ok {
			x.failAt(line, name, "required attribute %s is missing", name)
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false" && v != "1" && v != "0") {
			x.failAt(line, name, "%s %q is not a boolean", name, v)
		}
		return b
	}
	job.Running = boolAttr("running")
	job.Success = boolAttr("success")
	if id, ok := attr(&root, "captureID"); ok {
		job.CaptureID = id
	} else {
		x.failAt(line, "captureID", "required attribute captureID is missing")
	}
	haveBehaviour := false
	timeOf := func(path string) time.Time {
		l := x.line()
		s, err := x.text(path)
		if err != nil {
			return time.Time{}
		}
		t, perr := parseTime(s)
		if perr != nil {
			x.failAt(l, path, "%v", perr)
		}
		return t
	}
	err := x.children("", func(se xml.StartElement) error {
		l := x.line()
		switch se.Name.Local {
		case "captureErrorBehaviour":
			haveBehaviour = true
			s, err := x.text(se.Name.Local)
			if s != "rollback" && s != "proceed" {
				x.failAt(l, se.Name.Local, "captureErrorBehaviour %q is neither rollback nor proceed", s)
			}
			job.ErrorBehaviour = s
			return err
		case "createdAt":
			job.CreatedAt = timeOf("createdAt")
			return nil
		case "finishedAt":
			job.FinishedAt = timeOf("finishedAt")
			return nil
		case "errorFile":
			s, err := x.text("errorFile")
			if e := checkURI(s); e != nil {
				x.failAt(l, "errorFile", "%v", e)
			}
			job.ErrorFile = s
			return err
		case "errors":
			job.Errors = []Problem{}
			return x.children("errors", func(e xml.StartElement) error {
				path := indexPath("errors", len(job.Errors))
				var p Problem
				haveType, haveTitle := false, false
				err := x.children(path, func(f xml.StartElement) error {
					fl := x.line()
					s, err := x.text(path + "." + f.Name.Local)
					if err != nil {
						return err
					}
					switch f.Name.Local {
					case "type":
						haveType = true
						if e := checkURI(s); e != nil {
							x.failAt(fl, path+".type", "%v", e)
						}
						p.Type = s
					case "title":
						haveTitle = true
						p.Title = s
					case "status":
						n, err := strconv.Atoi(s)
						if err != nil {
							x.failAt(fl, path+".status", "status %q is not an integer", s)
						}
						p.Status = n
					case "detail":
						p.Detail = s
					case "instance":
						p.Instance = s
					default:
						x.failAt(fl, path+"."+f.Name.Local, "unknown element <%s> in a problem report", f.Name.Local)
					}
					return nil
				})
				if !haveType || !haveTitle {
					x.failAt(x.line(), path, "a problem report requires <type> and <title>")
				}
				job.Errors = append(job.Errors, p)
				return err
			})
		}
		x.failAt(l, se.Name.Local, "unknown element <%s> in EPCISCaptureJob", se.Name.Local)
		return x.skip()
	})
	if err != nil {
		return nil
	}
	if !haveBehaviour {
		x.failAt(x.line(), "captureErrorBehaviour", "required element captureErrorBehaviour is missing")
	}
	if job.Errors != nil && job.ErrorFile != "" {
		x.failAt(x.line(), "errorFile", "a capture job has errors or an errorFile, not both")
	}
	return job
}
