package epcissub

import (
	"reflect"
	"testing"
)

// FuzzDecodeJob: any stored value decodes or fails without a panic, and
// a decoded one encodes back to the same bytes.
func FuzzDecodeJob(f *testing.F) {
	j := Job{ID: 3, State: JobFailed, Org: 1, Credential: "key:1", RequestID: "r", Created: 5, Finished: 6,
		Errors: []JobError{{Event: -1, Reason: "x"}, {Event: 2, Field: "epcList[0]", Code: "c", Reason: "y"}}, Dropped: 1}
	f.Add(j.AppendBinary(nil))
	j = Job{ID: 3, State: JobRunning, Org: 1, XML: true, Doc: []byte("<x/>")}
	f.Add(j.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := DecodeJob(3, v)
		if err != nil {
			return
		}
		again := got.AppendBinary(nil)
		back, err := DecodeJob(3, again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("%x decodes to %+v, which encodes to %x, which decodes to %+v (%v)", v, got, again, back, err)
		}
	})
}
