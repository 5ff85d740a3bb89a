# s1 side remi, RouterOS 7.20.8 (v7.20)
/interface wireguard
add comment=bgpals:alice-remi:tunnel-isp1 listen-port=13231 mtu=1420 name=wg-alice-isp1
add comment=bgpals:alice-remi:tunnel-isp2 listen-port=13232 mtu=1420 name=wg-alice-isp2
/interface wireguard peers
add allowed-address=172.16.10.1/32,192.168.0.0/23 comment=bgpals:alice-remi:peer-isp1 endpoint-address=[:resolve "vpn.alice.example"] endpoint-port=13231 interface=wg-alice-isp1 name=alice-isp1 persistent-keepalive=25s public-key="+idoHCxIdRIM5oB6P+imCZWfhQmJuGIMAQ8GLPPxNiw="
add allowed-address=172.16.11.1/32,192.168.0.0/23 comment=bgpals:alice-remi:peer-isp2 endpoint-address=[:resolve "vpn2.alice.example"] endpoint-port=13232 interface=wg-alice-isp2 name=alice-isp2 persistent-keepalive=25s public-key="eZpjsK82eSvQsQtgtW3fr1H70xDrw1EG4/kVj1YagWI="
/ip address
add address=172.16.10.2/30 comment=bgpals:alice-remi:address-isp1 interface=wg-alice-isp1 network=172.16.10.0
add address=172.16.11.2/30 comment=bgpals:alice-remi:address-isp2 interface=wg-alice-isp2 network=172.16.11.0
/ip route
add comment=bgpals:alice-remi:pin-isp1 dst-address=[:resolve "vpn.alice.example"] gateway=pppoe-out1
add blackhole=yes comment=bgpals:alice-remi:pin-isp1-guard distance=250 dst-address=[:resolve "vpn.alice.example"]
add comment=bgpals:alice-remi:pin-isp2 dst-address=[:resolve "vpn2.alice.example"] gateway=pppoe-out2
add blackhole=yes comment=bgpals:alice-remi:pin-isp2-guard distance=250 dst-address=[:resolve "vpn2.alice.example"]
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-remi:fw-bgp-isp1 dst-port=179 in-interface=wg-alice-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi:fw-bgp-isp2 dst-port=179 in-interface=wg-alice-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/ip firewall mangle
add action=change-mss chain=forward comment=bgpals:alice-remi:mss-isp1 new-mss=clamp-to-pmtu out-interface=wg-alice-isp1 passthrough=yes protocol=tcp tcp-flags=syn
add action=change-mss chain=forward comment=bgpals:alice-remi:mss-isp2 new-mss=clamp-to-pmtu out-interface=wg-alice-isp2 passthrough=yes protocol=tcp tcp-flags=syn
/ip firewall address-list
add address=192.168.42.0/24 comment=bgpals:alice-remi:network-192.168.42.0/24 list=bgpals-alice-remi
/routing filter rule
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-192.168.42.0/23 rule="if (dst in 192.168.42.0/23) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-allow-192.168.0.0/23 rule="if (dst in 192.168.0.0/23 && dst-len in 23-32) { set bgp-local-pref 200; accept; }"
add chain=alice-remi-in-isp1 comment=bgpals:alice-remi:in-isp1-end rule="reject;"
add chain=alice-remi-out-isp1 comment=bgpals:alice-remi:out-isp1-net-192.168.42.0/24 rule="if (dst in 192.168.42.0/24 && dst-len == 24) { accept; }"
add chain=alice-remi-out-isp1 comment=bgpals:alice-remi:out-isp1-end rule="reject;"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-192.168.42.0/23 rule="if (dst in 192.168.42.0/23) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-allow-192.168.0.0/23 rule="if (dst in 192.168.0.0/23 && dst-len in 23-32) { set bgp-local-pref 100; accept; }"
add chain=alice-remi-in-isp2 comment=bgpals:alice-remi:in-isp2-end rule="reject;"
add chain=alice-remi-out-isp2 comment=bgpals:alice-remi:out-isp2-net-192.168.42.0/24 rule="if (dst in 192.168.42.0/24 && dst-len == 24) { set bgp-path-prepend 3; accept; }"
add chain=alice-remi-out-isp2 comment=bgpals:alice-remi:out-isp2-end rule="reject;"
/routing bgp instance
add as=64513 comment=bgpals:alice-remi:instance name=bgpals-alice-remi router-id=192.168.42.1
/routing bgp connection
add afi=ip as=64513 comment=bgpals:alice-remi:bgp-isp1 connect=yes hold-time=30s input.filter=alice-remi-in-isp1 input.limit-process-routes-ipv4=100 instance=bgpals-alice-remi keepalive-time=10s listen=yes local.address=172.16.10.2 local.role=ebgp multihop=no name=alice-isp1 output.filter-chain=alice-remi-out-isp1 output.network=bgpals-alice-remi remote.address=172.16.10.1 remote.as=64514
add afi=ip as=64513 comment=bgpals:alice-remi:bgp-isp2 connect=yes hold-time=30s input.filter=alice-remi-in-isp2 input.limit-process-routes-ipv4=100 instance=bgpals-alice-remi keepalive-time=10s listen=yes local.address=172.16.11.2 local.role=ebgp multihop=no name=alice-isp2 output.filter-chain=alice-remi-out-isp2 output.network=bgpals-alice-remi remote.address=172.16.11.1 remote.as=64514
/system script
add comment=bgpals:alice-remi:endpoint-script name=bgpals-alice-remi-endpoints policy=read,write,test source="# bgpals: follows alice's endpoint names (peering alice-remi)\n:do {\n:local a [:resolve \"vpn.alice.example\"]\n/interface wireguard peers set [find comment=\"bgpals:alice-remi:peer-isp1\"] endpoint-address=\$a\n/ip route set [find comment=\"bgpals:alice-remi:pin-isp1\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi:pin-isp1-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn.alice.example (alice's isp1 endpoint) does not resolve\" }\n:do {\n:local a [:resolve \"vpn2.alice.example\"]\n/interface wireguard peers set [find comment=\"bgpals:alice-remi:peer-isp2\"] endpoint-address=\$a\n/ip route set [find comment=\"bgpals:alice-remi:pin-isp2\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi:pin-isp2-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn2.alice.example (alice's isp2 endpoint) does not resolve\" }"
/system scheduler
add comment=bgpals:alice-remi:endpoint-scheduler interval=1m name=bgpals-alice-remi-endpoints on-event=bgpals-alice-remi-endpoints policy=read,write,test
