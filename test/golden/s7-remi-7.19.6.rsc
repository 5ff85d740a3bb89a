# s7 side remi, RouterOS 7.19.6 (v7)
/interface wireguard
add comment=bgpals:alice-remi-static:tunnel-isp1 listen-port=13231 mtu=1420 name=wg-alice-isp1
add comment=bgpals:alice-remi-static:tunnel-isp2 listen-port=13232 mtu=1420 name=wg-alice-isp2
/interface wireguard peers
add allowed-address=172.16.10.1/32,192.168.0.0/23 comment=bgpals:alice-remi-static:peer-isp1 endpoint-address=[:resolve "vpn.alice.example"] endpoint-port=13231 interface=wg-alice-isp1 name=alice-isp1 persistent-keepalive=25s public-key="+idoHCxIdRIM5oB6P+imCZWfhQmJuGIMAQ8GLPPxNiw="
add allowed-address=172.16.11.1/32,192.168.0.0/23 comment=bgpals:alice-remi-static:peer-isp2 endpoint-address=[:resolve "vpn2.alice.example"] endpoint-port=13232 interface=wg-alice-isp2 name=alice-isp2 persistent-keepalive=25s public-key="eZpjsK82eSvQsQtgtW3fr1H70xDrw1EG4/kVj1YagWI="
/ip address
add address=172.16.10.2/30 comment=bgpals:alice-remi-static:address-isp1 interface=wg-alice-isp1 network=172.16.10.0
add address=172.16.11.2/30 comment=bgpals:alice-remi-static:address-isp2 interface=wg-alice-isp2 network=172.16.11.0
/ip route
add comment=bgpals:alice-remi-static:pin-isp1 dst-address=[:resolve "vpn.alice.example"] gateway=pppoe-out1
add blackhole=yes comment=bgpals:alice-remi-static:pin-isp1-guard distance=250 dst-address=[:resolve "vpn.alice.example"]
add comment=bgpals:alice-remi-static:pin-isp2 dst-address=[:resolve "vpn2.alice.example"] gateway=pppoe-out2
add blackhole=yes comment=bgpals:alice-remi-static:pin-isp2-guard distance=250 dst-address=[:resolve "vpn2.alice.example"]
add check-gateway=ping comment=bgpals:alice-remi-static:static-isp1-192.168.0.0/24 distance=10 dst-address=192.168.0.0/24 gateway=172.16.10.1
add check-gateway=ping comment=bgpals:alice-remi-static:static-isp2-192.168.0.0/24 distance=20 dst-address=192.168.0.0/24 gateway=172.16.11.1
/ip firewall mangle
add action=change-mss chain=forward comment=bgpals:alice-remi-static:mss-isp1 new-mss=clamp-to-pmtu out-interface=wg-alice-isp1 passthrough=yes protocol=tcp tcp-flags=syn
add action=change-mss chain=forward comment=bgpals:alice-remi-static:mss-isp2 new-mss=clamp-to-pmtu out-interface=wg-alice-isp2 passthrough=yes protocol=tcp tcp-flags=syn
/system script
add comment=bgpals:alice-remi-static:endpoint-script name=bgpals-alice-remi-static-endpoints policy=read,write,test source="# bgpals: follows alice's endpoint names (peering alice-remi-static)\n:do {\n:local a [:resolve \"vpn.alice.example\"]\n/interface wireguard peers set [find comment=\"bgpals:alice-remi-static:peer-isp1\"] endpoint-address=\$a\n/ip route set [find comment=\"bgpals:alice-remi-static:pin-isp1\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi-static:pin-isp1-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn.alice.example (alice's isp1 endpoint) does not resolve\" }\n:do {\n:local a [:resolve \"vpn2.alice.example\"]\n/interface wireguard peers set [find comment=\"bgpals:alice-remi-static:peer-isp2\"] endpoint-address=\$a\n/ip route set [find comment=\"bgpals:alice-remi-static:pin-isp2\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi-static:pin-isp2-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn2.alice.example (alice's isp2 endpoint) does not resolve\" }"
/system scheduler
add comment=bgpals:alice-remi-static:endpoint-scheduler interval=1m name=bgpals-alice-remi-static-endpoints on-event=bgpals-alice-remi-static-endpoints policy=read,write,test
