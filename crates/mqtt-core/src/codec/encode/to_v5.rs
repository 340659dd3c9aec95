//! `Packet` to mqttbytes-ng's version 5 packets, with every property checked.

use super::*;
use mqttbytes_ng::v5 as lib;

fn reason<T>(
    packet: &'static str,
    code: ReasonCode,
    table: fn(ReasonCode) -> Option<T>,
) -> Result<T, EncodeError> {
    table(code).ok_or(EncodeError::InvalidReasonCode { packet, code })
}

/// The reason string and user properties, `None` when both are empty: the library then
/// writes no property length (or a zero one).
fn ack_properties(
    properties: &AckProperties,
) -> Result<Option<(Option<String>, UserProperties)>, EncodeError> {
    optional_string(StringField::ReasonString, &properties.reason_string)?;
    user_properties(&properties.user_properties)?;
    if *properties == AckProperties::default() {
        return Ok(None);
    }
    Ok(Some((
        properties.reason_string.clone(),
        properties.user_properties.clone(),
    )))
}

pub(super) fn packet(packet: &Packet) -> Result<lib::Packet, EncodeError> {
    Ok(match packet {
        // `encode` writes AUTH itself, never through the library.
        Packet::Auth(_) => {
            return Err(EncodeError::Unsupported {
                detail: EncoderLimit::IncompletePacket,
            })
        }
        Packet::Connect(connect) => self::connect(connect)?,
        Packet::ConnAck(connack) => lib::Packet::ConnAck(lib::ConnAck {
            session_present: connack.session_present,
            code: reason("CONNACK", connack.code, codes::connack_reason_v5)?,
            properties: connack_properties(&connack.properties)?,
        }),
        Packet::Publish(publish) => lib::Packet::Publish(self::publish(publish)?),
        Packet::PubAck(ack) => {
            let properties = ack_properties(&ack.properties)?;
            lib::Packet::PubAck(lib::PubAck {
                pkid: ack.packet_id.get(),
                reason: reason("PUBACK", ack.reason, codes::puback_reason)?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::PubAckProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::PubRec(ack) => {
            let properties = ack_properties(&ack.properties)?;
            lib::Packet::PubRec(lib::PubRec {
                pkid: ack.packet_id.get(),
                reason: reason("PUBREC", ack.reason, codes::pubrec_reason)?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::PubRecProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::PubRel(ack) => {
            let properties = ack_properties(&ack.properties)?;
            lib::Packet::PubRel(lib::PubRel {
                pkid: ack.packet_id.get(),
                reason: reason("PUBREL", ack.reason, codes::pubrel_reason)?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::PubRelProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::PubComp(ack) => {
            let properties = ack_properties(&ack.properties)?;
            lib::Packet::PubComp(lib::PubComp {
                pkid: ack.packet_id.get(),
                reason: reason("PUBCOMP", ack.reason, codes::pubcomp_reason)?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::PubCompProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::Subscribe(subscribe) => lib::Packet::Subscribe(self::subscribe(subscribe)?),
        Packet::SubAck(suback) => {
            let properties = ack_properties(&suback.properties)?;
            lib::Packet::SubAck(lib::SubAck {
                pkid: suback.packet_id.get(),
                return_codes: suback
                    .reason_codes
                    .iter()
                    .map(|&code| reason("SUBACK", code, codes::suback_reason_v5))
                    .collect::<Result<_, _>>()?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::SubAckProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::Unsubscribe(unsubscribe) => {
            if unsubscribe.filters.is_empty() {
                return Err(EncodeError::NoFilters);
            }
            for filter in &unsubscribe.filters {
                topic_filter(filter)?;
            }
            user_properties(&unsubscribe.user_properties)?;
            lib::Packet::Unsubscribe(lib::Unsubscribe {
                pkid: unsubscribe.packet_id.get(),
                filters: unsubscribe.filters.clone(),
                properties: (!unsubscribe.user_properties.is_empty()).then(|| {
                    lib::UnsubscribeProperties {
                        user_properties: unsubscribe.user_properties.clone(),
                    }
                }),
            })
        }
        Packet::UnsubAck(unsuback) => {
            let properties = ack_properties(&unsuback.properties)?;
            lib::Packet::UnsubAck(lib::UnsubAck {
                pkid: unsuback.packet_id.get(),
                reasons: unsuback
                    .reason_codes
                    .iter()
                    .map(|&code| reason("UNSUBACK", code, codes::unsuback_reason))
                    .collect::<Result<_, _>>()?,
                properties: properties.map(|(reason_string, user_properties)| {
                    lib::UnsubAckProperties {
                        reason_string,
                        user_properties,
                    }
                }),
            })
        }
        Packet::PingReq => lib::Packet::PingReq(lib::PingReq),
        Packet::PingResp => lib::Packet::PingResp(lib::PingResp),
        Packet::Disconnect(disconnect) => {
            let properties = &disconnect.properties;
            optional_string(StringField::ReasonString, &properties.reason_string)?;
            optional_string(StringField::ServerReference, &properties.server_reference)?;
            user_properties(&properties.user_properties)?;
            lib::Packet::Disconnect(lib::Disconnect {
                reason_code: reason("DISCONNECT", disconnect.reason, codes::disconnect_reason)?,
                properties: (*properties != DisconnectProperties::default()).then(|| {
                    lib::DisconnectProperties {
                        session_expiry_interval: properties.session_expiry_interval,
                        reason_string: properties.reason_string.clone(),
                        user_properties: properties.user_properties.clone(),
                        server_reference: properties.server_reference.clone(),
                    }
                }),
            })
        }
    })
}

fn publish(publish: &Publish) -> Result<lib::Publish, EncodeError> {
    let properties = &publish.properties;
    // An empty topic is how a topic alias is used on its own (MQTT 5.0 section 3.3.2.3.4).
    if !(publish.topic.is_empty() && properties.topic_alias.is_some()) {
        topic_name(&publish.topic)?;
    }
    let (qos, pkid) = lib_delivery(publish.delivery);
    Ok(lib::Publish {
        dup: publish.dup,
        qos,
        retain: publish.retain,
        topic: Bytes::copy_from_slice(publish.topic.as_bytes()),
        pkid,
        payload: publish.payload.clone(),
        properties: if *properties == PublishProperties::default() {
            None
        } else {
            Some(publish_properties(properties)?)
        },
    })
}

fn publish_properties(
    properties: &PublishProperties,
) -> Result<lib::PublishProperties, EncodeError> {
    payload_format(properties.payload_format_indicator)?;
    non_zero(PropertyName::TopicAlias, properties.topic_alias)?;
    if let Some(topic) = &properties.response_topic {
        topic_name(topic)?;
    }
    if let Some(data) = &properties.correlation_data {
        binary(StringField::CorrelationData, data)?;
    }
    optional_string(StringField::ContentType, &properties.content_type)?;
    user_properties(&properties.user_properties)?;
    Ok(lib::PublishProperties {
        payload_format_indicator: properties.payload_format_indicator,
        message_expiry_interval: properties.message_expiry_interval,
        topic_alias: properties.topic_alias,
        response_topic: properties.response_topic.clone(),
        correlation_data: properties.correlation_data.clone(),
        user_properties: properties.user_properties.clone(),
        subscription_identifiers: properties
            .subscription_identifiers
            .iter()
            .map(|&id| subscription_identifier(id))
            .collect::<Result<_, _>>()?,
        content_type: properties.content_type.clone(),
    })
}

fn subscribe(subscribe: &Subscribe) -> Result<lib::Subscribe, EncodeError> {
    if subscribe.filters.is_empty() {
        return Err(EncodeError::NoFilters);
    }
    let mut filters = Vec::with_capacity(subscribe.filters.len());
    for filter in &subscribe.filters {
        topic_filter(&filter.filter)?;
        let options = filter.options;
        if options.no_local && filter.filter.starts_with("$share/") {
            return Err(EncodeError::ProtocolViolation {
                detail: Disallowed::NoLocalOnSharedSubscription,
            });
        }
        filters.push(lib::Filter {
            path: filter.filter.clone(),
            qos: lib_qos(options.qos),
            nolocal: options.no_local,
            preserve_retain: options.retain_as_published,
            retain_forward_rule: match options.retain_handling {
                RetainHandling::SendAtSubscribe => lib::RetainForwardRule::OnEverySubscribe,
                RetainHandling::SendAtSubscribeIfNew => lib::RetainForwardRule::OnNewSubscribe,
                RetainHandling::DoNotSend => lib::RetainForwardRule::Never,
            },
        });
    }
    let properties = &subscribe.properties;
    user_properties(&properties.user_properties)?;
    let id = match properties.subscription_identifier {
        Some(id) => Some(subscription_identifier(id)?),
        None => None,
    };
    Ok(lib::Subscribe {
        pkid: subscribe.packet_id.get(),
        filters,
        properties: (*properties != SubscribeProperties::default()).then(|| {
            lib::SubscribeProperties {
                id,
                user_properties: properties.user_properties.clone(),
            }
        }),
    })
}

fn connect(connect: &Connect) -> Result<lib::Packet, EncodeError> {
    string(StringField::ClientIdentifier, &connect.client_id)?;
    let login = credentials(connect)?.map(|(username, password)| lib::Login { username, password });
    let will = match &connect.will {
        Some(will) => Some(self::will(will)?),
        None => None,
    };
    let properties = &connect.properties;
    non_zero(PropertyName::ReceiveMaximum, properties.receive_maximum)?;
    non_zero(
        PropertyName::MaximumPacketSize,
        properties.maximum_packet_size,
    )?;
    user_properties(&properties.user_properties)?;
    authentication(
        &properties.authentication_method,
        &properties.authentication_data,
    )?;
    let properties =
        (*properties != ConnectProperties::default()).then(|| lib::ConnectProperties {
            session_expiry_interval: properties.session_expiry_interval,
            receive_maximum: properties.receive_maximum,
            max_packet_size: properties.maximum_packet_size,
            topic_alias_max: properties.topic_alias_maximum,
            request_response_info: properties.request_response_information.map(u8::from),
            request_problem_info: properties.request_problem_information.map(u8::from),
            user_properties: properties.user_properties.clone(),
            authentication_method: properties.authentication_method.clone(),
            authentication_data: properties.authentication_data.clone(),
        });
    Ok(lib::Packet::Connect(
        lib::Connect {
            keep_alive: connect.keep_alive,
            client_id: connect.client_id.clone(),
            clean_start: connect.clean_start,
            properties,
        },
        will,
        login,
    ))
}

fn will(will: &Will) -> Result<lib::LastWill, EncodeError> {
    topic_name(&will.topic)?;
    binary(StringField::WillPayload, &will.payload)?;
    let properties = &will.properties;
    payload_format(properties.payload_format_indicator)?;
    optional_string(StringField::ContentType, &properties.content_type)?;
    if let Some(topic) = &properties.response_topic {
        topic_name(topic)?;
    }
    if let Some(data) = &properties.correlation_data {
        binary(StringField::CorrelationData, data)?;
    }
    user_properties(&properties.user_properties)?;
    Ok(lib::LastWill {
        topic: Bytes::copy_from_slice(will.topic.as_bytes()),
        message: will.payload.clone(),
        qos: lib_qos(will.qos),
        retain: will.retain,
        properties: (*properties != WillProperties::default()).then(|| lib::LastWillProperties {
            delay_interval: properties.delay_interval,
            payload_format_indicator: properties.payload_format_indicator,
            message_expiry_interval: properties.message_expiry_interval,
            content_type: properties.content_type.clone(),
            response_topic: properties.response_topic.clone(),
            correlation_data: properties.correlation_data.clone(),
            user_properties: properties.user_properties.clone(),
        }),
    })
}

fn connack_properties(
    properties: &ConnAckProperties,
) -> Result<Option<lib::ConnAckProperties>, EncodeError> {
    non_zero(PropertyName::ReceiveMaximum, properties.receive_maximum)?;
    non_zero(
        PropertyName::MaximumPacketSize,
        properties.maximum_packet_size,
    )?;
    if properties.maximum_qos == Some(QoS::ExactlyOnce) {
        return Err(invalid_property(
            PropertyName::MaximumQos,
            PropertyRule::ZeroOrOne,
        ));
    }
    optional_string(
        StringField::AssignedClientIdentifier,
        &properties.assigned_client_identifier,
    )?;
    optional_string(StringField::ReasonString, &properties.reason_string)?;
    optional_string(
        StringField::ResponseInformation,
        &properties.response_information,
    )?;
    optional_string(StringField::ServerReference, &properties.server_reference)?;
    user_properties(&properties.user_properties)?;
    authentication(
        &properties.authentication_method,
        &properties.authentication_data,
    )?;
    if *properties == ConnAckProperties::default() {
        return Ok(None);
    }
    Ok(Some(lib::ConnAckProperties {
        session_expiry_interval: properties.session_expiry_interval,
        receive_max: properties.receive_maximum,
        max_qos: properties.maximum_qos.map(|qos| qos as u8),
        retain_available: properties.retain_available.map(u8::from),
        max_packet_size: properties.maximum_packet_size,
        assigned_client_identifier: properties.assigned_client_identifier.clone(),
        topic_alias_max: properties.topic_alias_maximum,
        reason_string: properties.reason_string.clone(),
        user_properties: properties.user_properties.clone(),
        wildcard_subscription_available: properties.wildcard_subscription_available.map(u8::from),
        subscription_identifiers_available: properties
            .subscription_identifiers_available
            .map(u8::from),
        shared_subscription_available: properties.shared_subscription_available.map(u8::from),
        server_keep_alive: properties.server_keep_alive,
        response_information: properties.response_information.clone(),
        server_reference: properties.server_reference.clone(),
        authentication_method: properties.authentication_method.clone(),
        authentication_data: properties.authentication_data.clone(),
    }))
}
