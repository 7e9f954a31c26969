"""Storage of CCTV gear venues really use: Hikvision cameras and recorders, Dahua recorders.

One module per layout: the SD-card / NAS file storage of Hikvision IP cameras
(``hikvision_index`` parses its index files, ``hikvision_files`` reads the
folder), a Hikvision NVR/DVR raw disk (``hikvision_disk``) and a Dahua DHFS4.1
disk (``dahua_dhfs``). Every picture they hold becomes a capture the face engine
looks at, with its byte offset and, where the gear's index says so, its time
and channel; the video is offered to the video sampler.
"""
