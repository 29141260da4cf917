package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc (USER_HZ, 100 on Linux).
const userHZ = 100

// proc is a process as /proc/PID/stat shows it.
type proc struct {
	name string
	ppid int
	cpu  float64 // user + system seconds so far
}

// procs reads every process of the machine, by pid.
func procs() map[int]proc {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	ps := map[int]proc{}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses;
		// after it, ppid is the 2nd field, utime the 12th, stime the 13th.
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		utime, _ := strconv.ParseFloat(f[11], 64)
		stime, _ := strconv.ParseFloat(f[12], 64)
		ps[pid] = proc{name: s[open+1 : end], ppid: ppid, cpu: (utime + stime) / userHZ}
	}
	return ps
}

// ours reports whether pid is this process or one of its descendants.
func ours(ps map[int]proc, pid int) bool {
	self := os.Getpid()
	for ; pid > 1; pid = ps[pid].ppid {
		if pid == self {
			return true
		}
	}
	return false
}

// descendantsCPU is the CPU seconds used so far by the live descendants of
// this process (Chromium and its helpers).
func descendantsCPU() float64 {
	ps, total := procs(), 0.0
	for pid, p := range ps {
		if pid != os.Getpid() && ours(ps, pid) {
			total += p.cpu
		}
	}
	return total
}

// busy lists the processes besides this benchmark's that used more than a
// tenth of a core during the next second, heaviest first, as "name 95%":
// the load this benchmark competes with.
func busy() []string {
	before := procs()
	time.Sleep(time.Second)
	type use struct {
		name  string
		share float64
	}
	var us []use
	after := procs()
	for pid, p := range after {
		if q, ok := before[pid]; ok && p.cpu-q.cpu > 0.1 && !ours(after, pid) {
			us = append(us, use{p.name, p.cpu - q.cpu})
		}
	}
	slices.SortFunc(us, func(a, b use) int { return cmp.Compare(b.share, a.share) })
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = fmt.Sprintf("%s %.0f%%", u.name, 100*u.share)
	}
	return out
}

// loadAvg is the one-minute load average.
func loadAvg() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.Fields(string(raw) + " 0")[0], 64)
	return v
}

// cpuTimes are the busy and total jiffies of all cores since boot, from
// /proc/stat; zero where it cannot be read.
type cpuTimes struct{ busy, total float64 }

func readCPU() cpuTimes {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line + " 0 0 0 0 0 0 0 0")
	var t cpuTimes
	for i, s := range f[1:9] { // user nice system idle iowait irq softirq steal (guest time is in user)
		v, _ := strconv.ParseFloat(s, 64)
		t.total += v
		if i != 3 && i != 4 { // idle, iowait
			t.busy += v
		}
	}
	return t
}

// busySince is the share of all cores' time that was busy since t0, by
// anything on the machine (this benchmark included).
func busySince(t0 cpuTimes) float64 {
	t1 := readCPU()
	if t1.total <= t0.total {
		return 0
	}
	return (t1.busy - t0.busy) / (t1.total - t0.total)
}
