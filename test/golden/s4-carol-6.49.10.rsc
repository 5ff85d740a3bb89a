# s4 side carol, RouterOS 6.49.10 (v6)
# note: RouterOS 6 cannot be told to verify the OpenVPN server's certificate: ovpn-alice-isp1 relies on the PPP password and the client certificate
# note: OpenVPN client ovpn-alice-isp1 has no password in this render: set the one you gave alice
# note: RouterOS 6 cannot be told to verify the OpenVPN server's certificate: ovpn-alice-isp2 relies on the PPP password and the client certificate
# note: OpenVPN client ovpn-alice-isp2 has no password in this render: set the one you gave alice
/interface ovpn-client
add add-default-route=no auth=sha1 certificate=bgpals-alice-carol-client cipher=aes256 comment=bgpals:alice-carol:tunnel-isp1 connect-to=vpn.alice.example max-mtu=1450 mode=ip name=ovpn-alice-isp1 port=1194 user=carol-isp1
add add-default-route=no auth=sha1 certificate=bgpals-alice-carol-client cipher=aes256 comment=bgpals:alice-carol:tunnel-isp2 connect-to=vpn2.alice.example max-mtu=1450 mode=ip name=ovpn-alice-isp2 port=1194 user=carol-isp2
/ip route
add comment=bgpals:alice-carol:pin-isp1 dst-address=[:resolve "vpn.alice.example"] gateway=pppoe-out1
add comment=bgpals:alice-carol:pin-isp1-guard distance=250 dst-address=[:resolve "vpn.alice.example"] type=blackhole
add comment=bgpals:alice-carol:pin-isp2 dst-address=[:resolve "vpn2.alice.example"] gateway=pppoe-out1
add comment=bgpals:alice-carol:pin-isp2-guard distance=250 dst-address=[:resolve "vpn2.alice.example"] type=blackhole
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-carol:fw-bgp-isp1 dst-port=179 in-interface=ovpn-alice-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-carol:fw-bgp-isp2 dst-port=179 in-interface=ovpn-alice-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/routing bgp network
add comment=bgpals:alice-carol:network-192.168.88.0/24 network=192.168.88.0/24 synchronize=yes
/routing filter
add action=discard chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-default prefix=0.0.0.0/0
add action=discard chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-192.168.88.0/24 prefix=192.168.88.0/24 prefix-length=24-32
add action=discard chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-172.16.20.0/30 prefix=172.16.20.0/30 prefix-length=30-32
add action=discard chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-own-172.16.21.0/30 prefix=172.16.21.0/30 prefix-length=30-32
add action=accept chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-allow-192.168.0.0/23 prefix=192.168.0.0/23 prefix-length=23-28 set-bgp-local-pref=200
add action=discard chain=alice-carol-in-isp1 comment=bgpals:alice-carol:in-isp1-end
add action=accept chain=alice-carol-out-isp1 comment=bgpals:alice-carol:out-isp1-net-192.168.88.0/24 prefix=192.168.88.0/24
add action=discard chain=alice-carol-out-isp1 comment=bgpals:alice-carol:out-isp1-end
add action=discard chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-default prefix=0.0.0.0/0
add action=discard chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-192.168.88.0/24 prefix=192.168.88.0/24 prefix-length=24-32
add action=discard chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-172.16.20.0/30 prefix=172.16.20.0/30 prefix-length=30-32
add action=discard chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-own-172.16.21.0/30 prefix=172.16.21.0/30 prefix-length=30-32
add action=accept chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-allow-192.168.0.0/23 prefix=192.168.0.0/23 prefix-length=23-28 set-bgp-local-pref=100
add action=discard chain=alice-carol-in-isp2 comment=bgpals:alice-carol:in-isp2-end
add action=accept chain=alice-carol-out-isp2 comment=bgpals:alice-carol:out-isp2-net-192.168.88.0/24 prefix=192.168.88.0/24 set-bgp-prepend=3
add action=discard chain=alice-carol-out-isp2 comment=bgpals:alice-carol:out-isp2-end
/routing bgp instance
add as=64515 client-to-client-reflection=no comment=bgpals:alice-carol:instance name=bgpals-alice-carol redistribute-connected=no redistribute-ospf=no redistribute-other-bgp=no redistribute-rip=no redistribute-static=no router-id=192.168.88.1
/routing bgp peer
add address-families=ip comment=bgpals:alice-carol:bgp-isp1 hold-time=30s in-filter=alice-carol-in-isp1 instance=bgpals-alice-carol keepalive-time=10s max-prefix-limit=50 multihop=no name=alice-isp1 out-filter=alice-carol-out-isp1 remote-address=172.16.20.1 remote-as=64514
add address-families=ip comment=bgpals:alice-carol:bgp-isp2 hold-time=30s in-filter=alice-carol-in-isp2 instance=bgpals-alice-carol keepalive-time=10s max-prefix-limit=50 multihop=no name=alice-isp2 out-filter=alice-carol-out-isp2 remote-address=172.16.21.1 remote-as=64514
/system script
add comment=bgpals:alice-carol:endpoint-script name=bgpals-alice-carol-endpoints policy=read,write,test source="# bgpals: follows alice's endpoint names (peering alice-carol)\n:do {\n:local a [:resolve \"vpn.alice.example\"]\n/ip route set [find comment=\"bgpals:alice-carol:pin-isp1\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-carol:pin-isp1-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn.alice.example (alice's isp1 endpoint) does not resolve\" }\n:do {\n:local a [:resolve \"vpn2.alice.example\"]\n/ip route set [find comment=\"bgpals:alice-carol:pin-isp2\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-carol:pin-isp2-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn2.alice.example (alice's isp2 endpoint) does not resolve\" }"
/system scheduler
add comment=bgpals:alice-carol:endpoint-scheduler interval=1m name=bgpals-alice-carol-endpoints on-event=bgpals-alice-carol-endpoints policy=read,write,test
