// Command vcsim runs govmomi's vSphere simulator (a vCenter, vim25 SOAP on /sdk) with an inventory
// chosen by flags, for VirtSaga's tests and local stack. It builds offline against Debian's
// golang-github-vmware-govmomi-dev (govmomi 0.24.2):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o vcsim .
//
// Once it serves, it prints one line "VCSIM_URL=https://user:pass@127.0.0.1:port/sdk" to stdout
// (then VCSIM_TEMPLATE=<inventory path>), and runs until SIGTERM/SIGINT or, with -exit-on-stdin-eof
// (the default), until its stdin reaches end-of-file: a parent that dies takes vcsim with it.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	bind := flag.String("bind", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "port to listen on (0 = a free port)")
	username := flag.String("username", "user", "the only user name Login accepts")
	password := flag.String("password", "pass", "the only password Login accepts")
	datacenters := flag.Int("dc", 1, "datacenters (DC0, DC1, ...)")
	clusters := flag.Int("cluster", 1, "clusters per datacenter (DC0_C0, ...)")
	clusterHosts := flag.Int("host", 3, "hosts per cluster (DC0_C0_H0, ...)")
	standalone := flag.Int("standalone-host", 1, "standalone hosts per datacenter (DC0_H0, ...)")
	datastores := flag.Int("ds", 1, "local datastores per datacenter, on every host (LocalDS_0, ...)")
	portgroups := flag.Int("pg", 1, "distributed port groups per datacenter (DC0_DVPG0, ...)")
	machines := flag.Int("vm", 2, "VMs per cluster and per standalone host (DC0_C0_RP0_VM0, ...)")
	autostart := flag.Bool("autostart", true, "power the -vm VMs on")
	template := flag.String("template", "template-small", "name of a powered-off template VM in DC0's VM folder (empty: none)")
	templateCPU := flag.Int("template-cpu", 1, "vCPUs of the template")
	templateMemory := flag.Int("template-memory", 1024, "memory of the template, MB")
	templateDisk := flag.Int64("template-disk", 10, "disk of the template, GB")
	idleTimeout := flag.Duration("session-idle-timeout", 0, "drop sessions idle this long, e.g. 30s (0: never)")
	delay := flag.Int("delay-ms", 0, "delay every SOAP call by this many milliseconds")
	methodDelays := delayFlag{}
	flag.Var(methodDelays, "method-delay", "delay one SOAP method, e.g. CloneVM_Task=2000 (ms; repeatable)")
	guestNet := flag.String("guest-ip-net", "10.80", "VMs that power on report a guest IP <net>.x.y after -guest-ip-delay, as VMware Tools would after DHCP (empty: never)")
	guestDelay := flag.Duration("guest-ip-delay", 300*time.Millisecond, "how long after power-on the guest reports its IP")
	stdinEOF := flag.Bool("exit-on-stdin-eof", true, "exit when stdin reaches end-of-file")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter = *datacenters
	model.Cluster = *clusters
	model.ClusterHost = *clusterHosts
	model.Host = *standalone
	model.Datastore = *datastores
	model.Portgroup = *portgroups
	model.Machine = *machines
	model.Autostart = *autostart
	simulator.SessionIdleTimeout = *idleTimeout
	if err := model.Create(); err != nil {
		log.Fatalf("vcsim: cannot create the inventory: %v", err)
	}
	defer model.Remove()
	reportCustomFields()

	model.Service.TLS = new(tls.Config)
	model.Service.Listen = &url.URL{
		Host: net.JoinHostPort(*bind, strconv.Itoa(*port)),
		User: url.UserPassword(*username, *password),
	}
	server := model.Service.NewServer()
	defer server.Close()

	templatePath := ""
	if *template != "" {
		var err error
		templatePath, err = createTemplate(server.URL, *template, int32(*templateCPU), int32(*templateMemory), *templateDisk)
		if err != nil {
			log.Fatalf("vcsim: cannot create template %s: %v", *template, err)
		}
	}

	if *guestNet != "" {
		simulator.Map.AddHandler(&guestTools{net: *guestNet, delay: *guestDelay, leases: map[string]string{}})
	}

	// The service reads the model's DelayConfig on every call: set only now, so that creating the
	// template is not delayed.
	model.DelayConfig.Delay = *delay
	model.DelayConfig.MethodDelay = methodDelays

	fmt.Printf("VCSIM_URL=%s\n", server.URL)
	if templatePath != "" {
		fmt.Printf("VCSIM_TEMPLATE=%s\n", templatePath)
	}
	os.Stdout.Sync()
	log.Printf("vcsim: serving %s (%d datacenter(s), %d cluster(s) x %d host(s), %d standalone host(s), %d datastore(s))",
		server.URL.Redacted(), *datacenters, *clusters, *clusterHosts, *standalone, *datastores)

	done := make(chan string, 2)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { done <- (<-signals).String() }()
	if *stdinEOF {
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			done <- "end of stdin"
		}()
	}
	log.Printf("vcsim: stopping (%s)", <-done)
}

// delayFlag collects -method-delay Method=ms pairs.
type delayFlag map[string]int

func (d delayFlag) String() string { return fmt.Sprint(map[string]int(d)) }

func (d delayFlag) Set(value string) error {
	name, ms, ok := strings.Cut(value, "=")
	if !ok || name == "" {
		return fmt.Errorf("want Method=milliseconds, got %q", value)
	}
	n, err := strconv.Atoi(ms)
	if err != nil || n < 0 {
		return fmt.Errorf("want Method=milliseconds, got %q", value)
	}
	d[name] = n
	return nil
}

// createTemplate adds a powered-off VM marked as template to DC0's VM folder, placed on the first
// cluster (or else the first standalone host) on the first datastore, and returns its inventory path.
func createTemplate(u *url.URL, name string, cpus, memoryMB int32, diskGB int64) (string, error) {
	ctx := context.Background()
	client, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return "", err
	}
	defer client.Logout(ctx)

	finder := find.NewFinder(client.Client, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return "", err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return "", err
	}
	var pool *object.ResourcePool
	if clusters, cerr := finder.ClusterComputeResourceList(ctx, "*"); cerr == nil && len(clusters) > 0 {
		pool, err = clusters[0].ResourcePool(ctx)
	} else if hosts, herr := finder.HostSystemList(ctx, "*"); herr == nil && len(hosts) > 0 {
		pool, err = hosts[0].ResourcePool(ctx)
	} else {
		err = fmt.Errorf("no cluster and no host in %s", dc.InventoryPath)
	}
	if err != nil {
		return "", err
	}
	ds, err := finder.Datastore(ctx, "LocalDS_0")
	if err != nil {
		return "", err
	}

	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return "", err
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(),
		ds.Path(path.Join(name, name+".vmdk")))
	disk.CapacityInKB = diskGB * 1024 * 1024
	devices = append(devices, disk)
	// A NIC on the first port group, else "VM Network": clones get guest.net[0], whose address
	// ReconfigVM/CloneVM can set through extraConfig "SET.guest.ipAddress".
	network, err := finder.Network(ctx, path.Base(dc.InventoryPath)+"_DVPG0")
	if err != nil {
		network, err = finder.Network(ctx, "VM Network")
	}
	if err != nil {
		return "", err
	}
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return "", err
	}
	nic, err := devices.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return "", err
	}
	devices = append(devices, nic)
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return "", err
	}

	spec := types.VirtualMachineConfigSpec{
		Name:         name,
		GuestId:      string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest),
		NumCPUs:      cpus,
		MemoryMB:     int64(memoryMB),
		Files:        &types.VirtualMachineFileInfo{VmPathName: ds.Path("")},
		DeviceChange: changes,
	}
	task, err := folders.VmFolder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		return "", err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return "", err
	}
	vm := object.NewVirtualMachine(client.Client, info.Result.(types.ManagedObjectReference))
	if err := vm.MarkAsTemplate(ctx); err != nil {
		return "", err
	}
	return path.Join(folders.VmFolder.InventoryPath, name), nil
}

// guestTools plays VMware Tools in every guest: a while after a VM powers on, its guest reports an
// address (a DHCP lease that stays the VM's for the simulator's life) in guest.ipAddress and
// guest.net[0]; a VM that powers off or suspends reports none, as on a real vCenter.
type guestTools struct {
	net    string
	delay  time.Duration
	mu     sync.Mutex
	leases map[string]string
}

func (g *guestTools) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VirtSagaGuestTools", Value: "guest-tools"}
}

func (g *guestTools) PutObject(mo.Reference) {}

func (g *guestTools) RemoveObject(types.ManagedObjectReference) {}

func (g *guestTools) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "VirtualMachine" {
		return
	}
	for _, c := range changes {
		if c.Name == "runtime.powerState" {
			go g.report(ref)
			return
		}
	}
}

func (g *guestTools) lease(vm string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ip, ok := g.leases[vm]
	if !ok {
		n := len(g.leases)
		ip = fmt.Sprintf("%s.%d.%d", g.net, n/250, n%250+2)
		g.leases[vm] = ip
	}
	return ip
}

func (g *guestTools) report(ref types.ManagedObjectReference) {
	time.Sleep(g.delay)
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok || vm.Guest == nil {
		return
	}
	simulator.Map.WithLock(vm, func() {
		ip := ""
		if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			ip = g.lease(ref.Value)
		}
		if vm.Guest.IpAddress == ip {
			return
		}
		nets := append([]types.GuestNicInfo(nil), vm.Guest.Net...)
		if len(nets) > 0 {
			nets[0].IpAddress = nil
			if ip != "" {
				nets[0].IpAddress = []string{ip}
			}
		}
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "guest.ipAddress", Val: ip},
			{Name: "summary.guest.ipAddress", Val: ip},
			{Name: "guest.net", Val: nets},
		})
	})
}

// customFields is vcsim's CustomFieldsManager with one fix: vCenter tells property collectors when
// SetField changes an entity's customValue, govmomi 0.24's SetField writes it behind their back. A
// VM a collector saw before it was tagged would never show its tag to a watch.
type customFields struct {
	simulator.CustomFieldsManager
}

func (c *customFields) SetField(ctx *simulator.Context, req *types.SetField) soap.HasFault {
	res := c.CustomFieldsManager.SetField(ctx, req)
	if res.Fault() != nil {
		return res
	}
	obj := simulator.Map.Get(req.Entity)
	if e, ok := obj.(mo.Entity); ok {
		simulator.Map.WithLock(obj, func() {
			simulator.Map.Update(obj, []types.PropertyChange{
				{Name: "customValue", Val: e.Entity().CustomValue},
				{Name: "value", Val: e.Entity().Value},
			})
		})
	}
	return res
}

// reportCustomFields puts customFields in place of the model's CustomFieldsManager.
func reportCustomFields() {
	ref := types.ManagedObjectReference{Type: "CustomFieldsManager", Value: "CustomFieldsManager"}
	cfm, ok := simulator.Map.Get(ref).(*simulator.CustomFieldsManager)
	if !ok {
		log.Fatalf("vcsim: no CustomFieldsManager at %v", ref)
	}
	simulator.Map.Put(&customFields{*cfm})
}
