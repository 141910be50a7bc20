package loadtest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"

	"tracecode/internal/rusage"
)

// cpuSample is the generator's own CPU time and, when readable, the whole
// machine's busy and total CPU time, at one instant.
type cpuSample struct {
	at   time.Duration // since the run's start
	self time.Duration // user + system time of this process (rusage.CPU)
	// busy and total are the machine's jiffies from /proc/stat (all CPUs);
	// total == 0 when /proc/stat is not readable.
	busy, total uint64
}

// takeCPU reads the process's and the machine's CPU counters.
func takeCPU(at time.Duration) cpuSample {
	s := cpuSample{at: at}
	s.self = rusage.CPU()
	s.busy, s.total = machineJiffies()
	return s
}

// machineJiffies sums the first ("cpu") line of /proc/stat: busy is
// everything but idle and iowait.
func machineJiffies() (busy, total uint64) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0
		}
		if i >= 7 { // steal, guest, guest_nice: steal is lost, guests are in user
			break
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// CPUUse is CPU use over an interval.
type CPUUse struct {
	// Seconds is the generator process's CPU time (user + system) in the
	// interval.
	Seconds float64 `json:"seconds"`
	// Cores is the generator's CPU time per wall-clock second: 1.0 is one
	// core kept busy.
	Cores float64 `json:"cores"`
	// OfAvailable is Cores divided by the cores the generator may use
	// (GOMAXPROCS): near 1.0 the generator is CPU-bound.
	OfAvailable float64 `json:"of_available"`
	// MachineBusy is the share of the whole machine's CPU that was busy
	// (every process, including a server on the same machine), from
	// /proc/stat; −1 when unknown.
	MachineBusy float64 `json:"machine_busy"`
}

// cpuBetween returns the use between two samples; procs is GOMAXPROCS.
func cpuBetween(a, b cpuSample, procs int) CPUUse {
	u := CPUUse{Seconds: (b.self - a.self).Seconds(), MachineBusy: -1}
	if wall := (b.at - a.at).Seconds(); wall > 0 {
		u.Cores = u.Seconds / wall
		u.OfAvailable = u.Cores / float64(procs)
	}
	if b.total > a.total {
		u.MachineBusy = float64(b.busy-a.busy) / float64(b.total-a.total)
	}
	u.Seconds = round3(u.Seconds)
	u.Cores = round3(u.Cores)
	u.OfAvailable = round3(u.OfAvailable)
	if u.MachineBusy >= 0 {
		u.MachineBusy = round3(u.MachineBusy)
	}
	return u
}

func round3(f float64) float64 {
	if f < 0 {
		return -round3(-f)
	}
	return float64(int64(f*1000+0.5)) / 1000
}
