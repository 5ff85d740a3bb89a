# s4 side alice, RouterOS 7.19.6 (v7)
# note: PPP secret carol-isp1 is rendered disabled: set its password (carol chose it) and enable it
# note: PPP secret carol-isp2 is rendered disabled: set its password (carol chose it) and enable it
/ppp profile
add change-tcp-mss=yes comment=bgpals:alice-carol:ppp-profile name=bgpals-alice-carol only-one=yes use-compression=no use-encryption=yes use-mpls=no use-upnp=no
/ppp secret
add comment=bgpals:alice-carol:ppp-secret-isp1 disabled=yes local-address=172.16.20.1 name=carol-isp1 profile=bgpals-alice-carol remote-address=172.16.20.2 service=ovpn
add comment=bgpals:alice-carol:ppp-secret-isp2 disabled=yes local-address=172.16.21.1 name=carol-isp2 profile=bgpals-alice-carol remote-address=172.16.21.2 service=ovpn
/interface ovpn-server server
add auth=sha1 certificate=bgpals-alice-carol-server cipher=aes256-cbc comment=bgpals:alice-carol:ovpn-server-1194 disabled=no max-mtu=1450 mode=ip name=bgpals-alice-carol-1194 netmask=32 port=1194 protocol=tcp require-client-certificate=yes
/interface ovpn-server
add comment=bgpals:alice-carol:tunnel-isp1 name=ovpn-carol-isp1 user=carol-isp1
add comment=bgpals:alice-carol:tunnel-isp2 name=ovpn-carol-isp2 user=carol-isp2
/routing table
add comment=bgpals:alice-carol:reply-table-isp1 fib=yes name=bgpals-alice-carol-isp1
add comment=bgpals:alice-carol:reply-table-isp2 fib=yes name=bgpals-alice-carol-isp2
/ip route
add comment=bgpals:alice-carol:reply-route-isp1 dst-address=0.0.0.0/0 gateway=203.0.113.1 routing-table=bgpals-alice-carol-isp1
add comment=bgpals:alice-carol:reply-route-isp2 dst-address=0.0.0.0/0 gateway=198.51.100.1 routing-table=bgpals-alice-carol-isp2
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-carol:fw-tunnel-isp1 dst-port=1194 in-interface=vlan832-orange-internet protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-carol:fw-bgp-isp1 dst-port=179 in-interface=ovpn-carol-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-carol:fw-tunnel-isp2 dst-port=1194 in-interface=sfp-wan-sfr protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-carol:fw-bgp-isp2 dst-port=179 in-interface=ovpn-carol-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/ip firewall mangle
add action=mark-connection chain=prerouting comment=bgpals:alice-carol:reply-mark-isp1 connection-mark=no-mark dst-port=1194 in-interface=vlan832-orange-internet new-connection-mark=bgpals-alice-carol-isp1 passthrough=yes protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-carol:reply-route-mark-isp1 connection-mark=bgpals-alice-carol-isp1 new-routing-mark=bgpals-alice-carol-isp1 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=mark-connection chain=prerouting comment=bgpals:alice-carol:reply-mark-isp2 connection-mark=no-mark dst-port=1194 in-interface=sfp-wan-sfr new-connection-mark=bgpals-alice-carol-isp2 passthrough=yes protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-carol:reply-route-mark-isp2 connection-mark=bgpals-alice-carol-isp2 new-routing-mark=bgpals-alice-carol-isp2 passthrough=no place-before=[:pick [find dynamic=no] 0]
/ip firewall address-list
add address=192.168.0.0/24 comment=bgpals:alice-carol:network-192.168.0.0/24 list=bgpals-alice-carol
/routing filter rule
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-172.16.20.0/30 rule="if (dst in 172.16.20.0/30) { reject; }"
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-172.16.21.0/30 rule="if (dst in 172.16.21.0/30) { reject; }"
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-allow-192.168.88.0/24 rule="if (dst in 192.168.88.0/24 && dst-len == 24) { set bgp-local-pref 200; accept; }"
add chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-end rule="reject;"
add chain=alice-carol-out-isp1 comment=bgpals:alice-carol:out-isp1-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { accept; }"
add chain=alice-carol-out-isp1 comment=bgpals:alice-carol:out-isp1-end rule="reject;"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-172.16.20.0/30 rule="if (dst in 172.16.20.0/30) { reject; }"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-172.16.21.0/30 rule="if (dst in 172.16.21.0/30) { reject; }"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-allow-192.168.88.0/24 rule="if (dst in 192.168.88.0/24 && dst-len == 24) { set bgp-local-pref 100; accept; }"
add chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-end rule="reject;"
add chain=alice-carol-out-isp2 comment=bgpals:alice-carol:out-isp2-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { set bgp-path-prepend 3; accept; }"
add chain=alice-carol-out-isp2 comment=bgpals:alice-carol:out-isp2-end rule="reject;"
/routing bgp connection
add afi=ip as=64514 comment=bgpals:alice-carol:bgp-isp1 connect=yes hold-time=30s input.filter=alice-carol-in-isp1 input.limit-process-routes-ipv4=50 keepalive-time=10s listen=yes local.address=172.16.20.1 local.role=ebgp multihop=no name=carol-isp1 output.filter-chain=alice-carol-out-isp1 output.network=bgpals-alice-carol remote.address=172.16.20.2 remote.as=64515 router-id=192.168.0.1
add afi=ip as=64514 comment=bgpals:alice-carol:bgp-isp2 connect=yes hold-time=30s input.filter=alice-carol-in-isp2 input.limit-process-routes-ipv4=50 keepalive-time=10s listen=yes local.address=172.16.21.1 local.role=ebgp multihop=no name=carol-isp2 output.filter-chain=alice-carol-out-isp2 output.network=bgpals-alice-carol remote.address=172.16.21.2 remote.as=64515 router-id=192.168.0.1
