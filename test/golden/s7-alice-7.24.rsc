# s7 side alice, RouterOS 7.24 (v7.20)
/interface wireguard
add comment=bgpals:alice-remi-static:tunnel-isp1 listen-port=13231 mtu=1420 name=wg-remi-isp1
add comment=bgpals:alice-remi-static:tunnel-isp2 listen-port=13232 mtu=1420 name=wg-remi-isp2
/interface wireguard peers
add allowed-address=172.16.10.2/32,192.168.42.0/23 comment=bgpals:alice-remi-static:peer-isp1 interface=wg-remi-isp1 name=remi-isp1 public-key="44+hckrGtphb/z+G/A7ITfaINceKm0pISbEtqeVf5G8="
add allowed-address=172.16.11.2/32,192.168.42.0/23 comment=bgpals:alice-remi-static:peer-isp2 interface=wg-remi-isp2 name=remi-isp2 public-key="m5TKQ3Fff05UgbD+ljJlKoLzgbdk92Khk9DEi8gFL3U="
/ip address
add address=172.16.10.1/30 comment=bgpals:alice-remi-static:address-isp1 interface=wg-remi-isp1 network=172.16.10.0
add address=172.16.11.1/30 comment=bgpals:alice-remi-static:address-isp2 interface=wg-remi-isp2 network=172.16.11.0
/routing table
add comment=bgpals:alice-remi-static:reply-table-isp1 fib=yes name=bgpals-alice-remi-static-isp1
add comment=bgpals:alice-remi-static:reply-table-isp2 fib=yes name=bgpals-alice-remi-static-isp2
/ip route
add comment=bgpals:alice-remi-static:reply-route-isp1 dst-address=0.0.0.0/0 gateway=203.0.113.1 routing-table=bgpals-alice-remi-static-isp1
add comment=bgpals:alice-remi-static:reply-route-isp2 dst-address=0.0.0.0/0 gateway=198.51.100.1 routing-table=bgpals-alice-remi-static-isp2
add check-gateway=ping comment=bgpals:alice-remi-static:static-isp1-192.168.42.0/24 distance=10 dst-address=192.168.42.0/24 gateway=172.16.10.2
add check-gateway=ping comment=bgpals:alice-remi-static:static-isp2-192.168.42.0/24 distance=20 dst-address=192.168.42.0/24 gateway=172.16.11.2
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-remi-static:fw-tunnel-isp1 dst-port=13231 in-interface=vlan832-orange-internet protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi-static:fw-tunnel-isp2 dst-port=13232 in-interface=sfp-wan-sfr protocol=udp place-before=[:pick [find dynamic=no] 0]
/ip firewall mangle
add action=mark-connection chain=prerouting comment=bgpals:alice-remi-static:reply-mark-isp1 connection-mark=no-mark dst-port=13231 in-interface=vlan832-orange-internet new-connection-mark=bgpals-alice-remi-static-isp1 passthrough=yes protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi-static:reply-route-mark-isp1 connection-mark=bgpals-alice-remi-static-isp1 new-routing-mark=bgpals-alice-remi-static-isp1 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=mark-connection chain=prerouting comment=bgpals:alice-remi-static:reply-mark-isp2 connection-mark=no-mark dst-port=13232 in-interface=sfp-wan-sfr new-connection-mark=bgpals-alice-remi-static-isp2 passthrough=yes protocol=udp place-before=[:pick [find dynamic=no] 0]
add action=mark-routing chain=output comment=bgpals:alice-remi-static:reply-route-mark-isp2 connection-mark=bgpals-alice-remi-static-isp2 new-routing-mark=bgpals-alice-remi-static-isp2 passthrough=no place-before=[:pick [find dynamic=no] 0]
add action=change-mss chain=forward comment=bgpals:alice-remi-static:mss-isp1 new-mss=clamp-to-pmtu out-interface=wg-remi-isp1 passthrough=yes protocol=tcp tcp-flags=syn
add action=change-mss chain=forward comment=bgpals:alice-remi-static:mss-isp2 new-mss=clamp-to-pmtu out-interface=wg-remi-isp2 passthrough=yes protocol=tcp tcp-flags=syn
