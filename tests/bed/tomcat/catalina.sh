#!/bin/sh
echo "tomcat stand-in ${TOMCAT_VERSION}"
