# s3 side alice, RouterOS 7.15.3 (v7)
# note: PPP secret remi-isp1 is rendered disabled: set its password (remi chose it) and enable it
# note: PPP secret remi-isp2 is rendered disabled: set its password (remi chose it) and enable it
/ppp profile
add change-tcp-mss=yes comment=bgpals:alice-remi-ovpn:ppp-profile name=bgpals-alice-remi-ovpn only-one=yes use-compression=no use-encryption=yes use-mpls=no use-upnp=no
/ppp secret
add comment=bgpals:alice-remi-ovpn:ppp-secret-isp1 disabled=yes local-address=172.16.10.1 name=remi-isp1 profile=bgpals-alice-remi-ovpn remote-address=172.16.10.2 service=ovpn
add comment=bgpals:alice-remi-ovpn:ppp-secret-isp2 disabled=yes local-address=172.16.11.1 name=remi-isp2 profile=bgpals-alice-remi-ovpn remote-address=172.16.11.2 service=ovpn
/interface ovpn-server server
set auth=sha256 certificate=bgpals-alice-remi-ovpn-server cipher=aes256-gcm enabled=yes max-mtu=1450 mode=ip netmask=32 port=1194 protocol=tcp require-client-certificate=yes
/interface ovpn-server
add comment=bgpals:alice-remi-ovpn:tunnel-isp1 name=ovpn-remi-isp1 user=remi-isp1
add comment=bgpals:alice-remi-ovpn:tunnel-isp2 name=ovpn-remi-isp2 user=remi-isp2
/routing table
add comment=bgpals:alice-remi-ovpn:reply-table-isp1 fib=yes name=bgpals-alice-remi-ovpn-isp1
add comment=bgpals:alice-remi-ovpn:reply-table-isp2 fib=yes name=bgpals-alice-remi-ovpn-isp2
/ip route
add comment=bgpals:alice-remi-ovpn:reply-route-isp1 dst-address=0.0.0.0/0 gateway=203.0.113.1 routing-table=bgpals-alice-remi-ovpn-isp1
add comment=bgpals:alice-remi-ovpn:reply-route-isp2 dst-address=0.0.0.0/0 gateway=198.51.100.1 routing-table=bgpals-alice-remi-ovpn-isp2
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-tunnel-isp1 dst-port=1194 in-interface=vlan832-orange-internet protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-bgp-isp1 dst-port=179 in-interface=ovpn-remi-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-tunnel-isp2 dst-port=1194 in-interface=sfp-wan-sfr protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-bgp-isp2 dst-port=179 in-interface=ovpn-remi-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/ip firewall mangle
add action=mark-connection chain=prerouting comment=bgpals:alice-remi-ovpn:reply-mark-isp1 connection-mark=no-mark dst-port=1194 in-interface=vlan832-orange-internet new-connection-mark=bgpals-alice-remi-ovpn-isp1 passthrough=yes protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi-ovpn:reply-route-mark-isp1 connection-mark=bgpals-alice-remi-ovpn-isp1 new-routing-mark=bgpals-alice-remi-ovpn-isp1 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=mark-connection chain=prerouting comment=bgpals:alice-remi-ovpn:reply-mark-isp2 connection-mark=no-mark dst-port=1194 in-interface=sfp-wan-sfr new-connection-mark=bgpals-alice-remi-ovpn-isp2 passthrough=yes protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi-ovpn:reply-route-mark-isp2 connection-mark=bgpals-alice-remi-ovpn-isp2 new-routing-mark=bgpals-alice-remi-ovpn-isp2 passthrough=no place-before=[:pick [find dynamic=no] 0]
/ip firewall address-list
add address=192.168.0.0/24 comment=bgpals:alice-remi-ovpn:network-192.168.0.0/24 list=bgpals-alice-remi-ovpn
/routing filter rule
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-allow-192.168.42.0/23 rule="if (dst in 192.168.42.0/23 && dst-len in 23-28) { set bgp-local-pref 200; accept; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-end rule="reject;"
add chain=alice-remi-ovpn-out-isp1 comment=bgpals:alice-remi-ovpn:out-isp1-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { accept; }"
add chain=alice-remi-ovpn-out-isp1 comment=bgpals:alice-remi-ovpn:out-isp1-end rule="reject;"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-allow-192.168.42.0/23 rule="if (dst in 192.168.42.0/23 && dst-len in 23-28) { set bgp-local-pref 100; accept; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-end rule="reject;"
add chain=alice-remi-ovpn-out-isp2 comment=bgpals:alice-remi-ovpn:out-isp2-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { set bgp-path-prepend 3; accept; }"
add chain=alice-remi-ovpn-out-isp2 comment=bgpals:alice-remi-ovpn:out-isp2-end rule="reject;"
/routing bgp connection
add address-families=ip as=64514 comment=bgpals:alice-remi-ovpn:bgp-isp1 connect=yes hold-time=30s input.filter=alice-remi-ovpn-in-isp1 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.10.1 local.role=ebgp multihop=no name=remi-isp1 output.filter-chain=alice-remi-ovpn-out-isp1 output.network=bgpals-alice-remi-ovpn remote.address=172.16.10.2 remote.as=64513 router-id=192.168.0.1
add address-families=ip as=64514 comment=bgpals:alice-remi-ovpn:bgp-isp2 connect=yes hold-time=30s input.filter=alice-remi-ovpn-in-isp2 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.11.1 local.role=ebgp multihop=no name=remi-isp2 output.filter-chain=alice-remi-ovpn-out-isp2 output.network=bgpals-alice-remi-ovpn remote.address=172.16.11.2 remote.as=64513 router-id=192.168.0.1
