# s3 side remi, RouterOS 7.19.6 (v7)
# note: OpenVPN client ovpn-alice-isp1 has no password in this render: set the one you gave alice
# note: OpenVPN client ovpn-alice-isp2 has no password in this render: set the one you gave alice
/interface ovpn-client
add add-default-route=no auth=sha256 certificate=bgpals-alice-remi-ovpn-client cipher=aes256-gcm comment=bgpals:alice-remi-ovpn:tunnel-isp1 connect-to=vpn.alice.example max-mtu=1450 mode=ip name=ovpn-alice-isp1 port=1194 protocol=tcp user=remi-isp1 verify-server-certificate=yes
add add-default-route=no auth=sha256 certificate=bgpals-alice-remi-ovpn-client cipher=aes256-gcm comment=bgpals:alice-remi-ovpn:tunnel-isp2 connect-to=vpn2.alice.example max-mtu=1450 mode=ip name=ovpn-alice-isp2 port=1194 protocol=tcp user=remi-isp2 verify-server-certificate=yes
/ip route
add comment=bgpals:alice-remi-ovpn:pin-isp1 dst-address=[:resolve "vpn.alice.example"] gateway=pppoe-out1
add blackhole=yes comment=bgpals:alice-remi-ovpn:pin-isp1-guard distance=250 dst-address=[:resolve "vpn.alice.example"]
add comment=bgpals:alice-remi-ovpn:pin-isp2 dst-address=[:resolve "vpn2.alice.example"] gateway=pppoe-out2
add blackhole=yes comment=bgpals:alice-remi-ovpn:pin-isp2-guard distance=250 dst-address=[:resolve "vpn2.alice.example"]
/ip firewall filter
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-bgp-isp1 dst-port=179 in-interface=ovpn-alice-isp1 protocol=tcp place-before=[:pick [find dynamic=no] 0]
add action=accept chain=input comment=bgpals:alice-remi-ovpn:fw-bgp-isp2 dst-port=179 in-interface=ovpn-alice-isp2 protocol=tcp place-before=[:pick [find dynamic=no] 0]
/ip firewall address-list
add address=192.168.42.0/24 comment=bgpals:alice-remi-ovpn:network-192.168.42.0/24 list=bgpals-alice-remi-ovpn
/routing filter rule
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-192.168.42.0/23 rule="if (dst in 192.168.42.0/23) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-allow-192.168.0.0/23 rule="if (dst in 192.168.0.0/23 && dst-len in 23-28) { set bgp-local-pref 200; accept; }"
add chain=alice-remi-ovpn-in-isp1 comment=bgpals:alice-remi-ovpn:in-isp1-end rule="reject;"
add chain=alice-remi-ovpn-out-isp1 comment=bgpals:alice-remi-ovpn:out-isp1-net-192.168.42.0/24 rule="if (dst in 192.168.42.0/24 && dst-len == 24) { accept; }"
add chain=alice-remi-ovpn-out-isp1 comment=bgpals:alice-remi-ovpn:out-isp1-end rule="reject;"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-default rule="if (dst == 0.0.0.0/0) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-192.168.42.0/23 rule="if (dst in 192.168.42.0/23) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-172.16.10.0/30 rule="if (dst in 172.16.10.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-own-172.16.11.0/30 rule="if (dst in 172.16.11.0/30) { reject; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-allow-192.168.0.0/23 rule="if (dst in 192.168.0.0/23 && dst-len in 23-28) { set bgp-local-pref 100; accept; }"
add chain=alice-remi-ovpn-in-isp2 comment=bgpals:alice-remi-ovpn:in-isp2-end rule="reject;"
add chain=alice-remi-ovpn-out-isp2 comment=bgpals:alice-remi-ovpn:out-isp2-net-192.168.42.0/24 rule="if (dst in 192.168.42.0/24 && dst-len == 24) { set bgp-path-prepend 3; accept; }"
add chain=alice-remi-ovpn-out-isp2 comment=bgpals:alice-remi-ovpn:out-isp2-end rule="reject;"
/routing bgp connection
add afi=ip as=64513 comment=bgpals:alice-remi-ovpn:bgp-isp1 connect=yes hold-time=30s input.filter=alice-remi-ovpn-in-isp1 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.10.2 local.role=ebgp multihop=no name=alice-isp1 output.filter-chain=alice-remi-ovpn-out-isp1 output.network=bgpals-alice-remi-ovpn remote.address=172.16.10.1 remote.as=64514 router-id=192.168.42.1
add afi=ip as=64513 comment=bgpals:alice-remi-ovpn:bgp-isp2 connect=yes hold-time=30s input.filter=alice-remi-ovpn-in-isp2 input.limit-process-routes-ipv4=100 keepalive-time=10s listen=yes local.address=172.16.11.2 local.role=ebgp multihop=no name=alice-isp2 output.filter-chain=alice-remi-ovpn-out-isp2 output.network=bgpals-alice-remi-ovpn remote.address=172.16.11.1 remote.as=64514 router-id=192.168.42.1
/system script
add comment=bgpals:alice-remi-ovpn:endpoint-script name=bgpals-alice-remi-ovpn-endpoints policy=read,write,test source="# bgpals: follows alice's endpoint names (peering alice-remi-ovpn)\n:do {\n:local a [:resolve \"vpn.alice.example\"]\n/ip route set [find comment=\"bgpals:alice-remi-ovpn:pin-isp1\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi-ovpn:pin-isp1-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn.alice.example (alice's isp1 endpoint) does not resolve\" }\n:do {\n:local a [:resolve \"vpn2.alice.example\"]\n/ip route set [find comment=\"bgpals:alice-remi-ovpn:pin-isp2\"] dst-address=\"\$a/32\"\n/ip route set [find comment=\"bgpals:alice-remi-ovpn:pin-isp2-guard\"] dst-address=\"\$a/32\"\n} on-error={ :log warning \"bgpals: vpn2.alice.example (alice's isp2 endpoint) does not resolve\" }"
/system scheduler
add comment=bgpals:alice-remi-ovpn:endpoint-scheduler interval=1m name=bgpals-alice-remi-ovpn-endpoints on-event=bgpals-alice-remi-ovpn-endpoints policy=read,write,test
