#!/bin/sh
{{BLOCK}}exit 0
