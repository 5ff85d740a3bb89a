# s1 side alice, RouterOS 7.12.2 (v7)
/interface wireguard
add comment=bgpals:alice-remi:tunnel-isp1 listen-port=13231 mtu=1420 name=wg-remi-isp1
add comment=bgpals:alice-remi:tunnel-isp2 listen-port=13232 mtu=1420 name=wg-remi-isp2
/interface wireguard peers
add allowed-address=172.16.10.2/32,192.168.42.0/23 comment=bgpals:alice-remi:peer-isp1 interface=wg-remi-isp1 public-key="44+hckrGtphb/z+G/A7ITfaINceKm0pISbEtqeVf5G8="
add allowed-address=172.16.11.2/32,192.168.42.0/23 comment=bgpals:alice-remi:peer-isp2 interface=wg-remi-isp2 public-key="m5TKQ3Fff05UgbD+ljJlKoLzgbdk92Khk9DEi8gFL3U="
/ip address
add address=172.16.10.1/30 comment=bgpals:alice-remi:address-isp1 interface=wg-remi-isp1 network=172.16.10.0
add address=172.16.11.1/30 comment=bgpals:alice-remi:address-isp2 interface=wg-remi-isp2 network=172.16.11.0
/routing table
add comment=bgpals:alice-remi:reply-table-isp1 fib=yes name=bgpals-alice-remi-isp1
add comment=bgpals:alice-remi:reply-table-isp2 fib=yes name=bgpals-alice-remi-isp2
/ip route
add comment=bgpals:alice-remi:reply-route-isp1 dst-address=0.0.0.0/0 gateway=203.0.113.1 routing-table=bgpals-alice-remi-isp1
add comment=bgpals:alice-remi:reply-route-isp2 dst-address=0.0.0.0/0 gateway=198.51.100.1 routing-table=bgpals-alice-remi-isp2
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-remi:fw-tunnel-isp1 dst-port=13231 in-interface=vlan832-orange-internet protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi:fw-bgp-isp1 dst-port=179 in-interface=wg-remi-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi:fw-tunnel-isp2 dst-port=13232 in-interface=sfp-wan-sfr protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi:fw-bgp-isp2 dst-port=179 in-interface=wg-remi-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/ip firewall mangle
add action=mark-connection chain=prerouting comment=bgpals:alice-remi:reply-mark-isp1 connection-mark=no-mark dst-port=13231 in-interface=vlan832-orange-internet new-connection-mark=bgpals-alice-remi-isp1 passthrough=yes protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi:reply-route-mark-isp1 connection-mark=bgpals-alice-remi-isp1 new-routing-mark=bgpals-alice-remi-isp1 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=mark-connection chain=prerouting comment=bgpals:alice-remi:reply-mark-isp2 connection-mark=no-mark dst-port=13232 in-interface=sfp-wan-sfr new-connection-mark=bgpals-alice-remi-isp2 passthrough=yes protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi:reply-route-mark-isp2 connection-mark=bgpals-alice-remi-isp2 new-routing-mark=bgpals-alice-remi-isp2 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=change-mss chain=forward comment=bgpals:alice-remi:mss-isp1 new-mss=clamp-to-pmtu out-interface=wg-remi-isp1 passthrough=yes protocol=tcp tcp-flags=syn
add action=change-mss chain=forward comment=bgpals:alice-remi:mss-isp2 new-mss=clamp-to-pmtu out-interface=wg-remi-isp2 passthrough=yes protocol=tcp tcp-flags=syn
/ip firewall address-list
add address=192.168.0.0/24 comment=bgpals:alice-remi:network-192.168.0.0/24 list=bgpals-alice-remi
/routing filter rule
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-allow-192.168.42.0/23 rule="if (dst in 192.168.42.0/23 && dst-len in 23-32) { set bgp-local-pref 200; accept; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-end rule="reject;"
add chain=alice-remi-out-isp1 comment=bgpals:alice-remi:out-isp1-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { accept; }"
add chain=alice-remi-out-isp1 comment=bgpals:alice-remi:out-isp1-end rule="reject;"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-192.168.0.0/23 rule="if (dst in 192.168.0.0/23) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-allow-192.168.42.0/23 rule="if (dst in 192.168.42.0/23 && dst-len in 23-32) { set bgp-local-pref 100; accept; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-end rule="reject;"
add chain=alice-remi-out-isp2 comment=bgpals:alice-remi:out-isp2-net-192.168.0.0/24 rule="if (dst in 192.168.0.0/24 && dst-len == 24) { set bgp-path-prepend 3; accept; }"
add chain=alice-remi-out-isp2 comment=bgpals:alice-remi:out-isp2-end rule="reject;"
/routing bgp connection
add address-families=ip as=64514 comment=bgpals:alice-remi:bgp-isp1 connect=yes hold-time=30s input.filter=alice-remi-in-isp1 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.10.1 local.role=ebgp multihop=no name=remi-isp1 output.filter-chain=alice-remi-out-isp1 output.network=bgpals-alice-remi remote.address=172.16.10.2 remote.as=64513 router-id=192.168.0.1
add address-families=ip as=64514 comment=bgpals:alice-remi:bgp-isp2 connect=yes hold-time=30s input.filter=alice-remi-in-isp2 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.11.1 local.role=ebgp multihop=no name=remi-isp2 output.filter-chain=alice-remi-out-isp2 output.network=bgpals-alice-remi remote.address=172.16.11.2 remote.as=64513 router-id=192.168.0.1
