// The schema table: built-in kinds' fields with types and strategic merge tags (Kubernetes v1.32).
//
// Grammar (one definition per line; indented lines continue the previous one; `#` comments):
//   TypeName: field field ...            a Go struct type
//   kind group/version/Kind: field ...   a kind (apiVersion, kind and metadata:ObjectMeta implied)
// A field is `name[:type][@strategy[=mergeKey]]`, or `...TypeName` to inline TypeName's fields
// (Go's embedded structs). Types: string (default), bytes, int (int32), int64, num, bool, time,
// quantity, intstr, any (free-form), a TypeName, [T] (array), {T} (map with string keys).
// Strategies as in the Go tags: merge, retainKeys, "merge,retainKeys", replace.
#include <string_view>

namespace keelson::api::schema_internal {

extern const std::string_view kSchemaTable;

const std::string_view kSchemaTable = R"(
# ---- meta/v1
ObjectMeta: name generateName namespace selfLink uid resourceVersion generation:int64
  creationTimestamp:time deletionTimestamp:time deletionGracePeriodSeconds:int64 labels:{string}
  annotations:{string} ownerReferences:[OwnerReference]@merge=uid finalizers:[string]@merge
  managedFields:[ManagedFieldsEntry]
OwnerReference: apiVersion kind name uid controller:bool blockOwnerDeletion:bool
ManagedFieldsEntry: manager operation apiVersion time:time fieldsType fieldsV1:any subresource
LabelSelector: matchLabels:{string} matchExpressions:[LabelSelectorRequirement]
LabelSelectorRequirement: key operator values:[string]
Condition: type status observedGeneration:int64 lastTransitionTime:time reason message
# The condition shapes of the built-in status types, merged into one.
Cond: type status observedGeneration:int64 lastProbeTime:time lastHeartbeatTime:time
  lastUpdateTime:time lastTransitionTime:time reason message

# ---- core/v1 pods
PodTemplateSpec: metadata:ObjectMeta spec:PodSpec
PodSpec: volumes:[Volume]@merge,retainKeys=name initContainers:[Container]@merge=name
  containers:[Container]@merge=name ephemeralContainers:[EphemeralContainer]@merge=name
  restartPolicy terminationGracePeriodSeconds:int64 activeDeadlineSeconds:int64 dnsPolicy
  nodeSelector:{string} serviceAccountName serviceAccount automountServiceAccountToken:bool nodeName
  hostNetwork:bool hostPID:bool hostIPC:bool shareProcessNamespace:bool
  securityContext:PodSecurityContext imagePullSecrets:[LocalObjectReference]@merge=name hostname
  subdomain affinity:Affinity schedulerName tolerations:[Toleration]
  hostAliases:[HostAlias]@merge=ip priorityClassName priority:int dnsConfig:PodDNSConfig
  readinessGates:[PodReadinessGate] runtimeClassName enableServiceLinks:bool preemptionPolicy
  overhead:{quantity} topologySpreadConstraints:[TopologySpreadConstraint]@merge=topologyKey
  setHostnameAsFQDN:bool os:PodOS hostUsers:bool schedulingGates:[PodSchedulingGate]@merge=name
  resourceClaims:[PodResourceClaim]@merge,retainKeys=name resources:ResourceRequirements
Container: name image command:[string] args:[string] workingDir
  ports:[ContainerPort]@merge=containerPort envFrom:[EnvFromSource] env:[EnvVar]@merge=name
  resources:ResourceRequirements resizePolicy:[ContainerResizePolicy] restartPolicy
  volumeMounts:[VolumeMount]@merge=mountPath volumeDevices:[VolumeDevice]@merge=devicePath
  livenessProbe:Probe readinessProbe:Probe startupProbe:Probe lifecycle:Lifecycle
  terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext:SecurityContext
  stdin:bool stdinOnce:bool tty:bool
EphemeralContainer: ...Container targetContainerName
ContainerPort: name hostPort:int containerPort:int protocol hostIP
EnvFromSource: prefix configMapRef:ConfigMapEnvSource secretRef:SecretEnvSource
ConfigMapEnvSource: name optional:bool
SecretEnvSource: name optional:bool
EnvVar: name value valueFrom:EnvVarSource
EnvVarSource: fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector
  configMapKeyRef:ConfigMapKeySelector secretKeyRef:SecretKeySelector
ObjectFieldSelector: apiVersion fieldPath
ResourceFieldSelector: containerName resource divisor:quantity
ConfigMapKeySelector: name key optional:bool
SecretKeySelector: name key optional:bool
ResourceRequirements: limits:{quantity} requests:{quantity} claims:[ResourceClaim]
ResourceClaim: name request
ContainerResizePolicy: resourceName restartPolicy
VolumeMount: name readOnly:bool recursiveReadOnly mountPath subPath mountPropagation subPathExpr
VolumeDevice: name devicePath
Probe: ...ProbeHandler initialDelaySeconds:int timeoutSeconds:int periodSeconds:int
  successThreshold:int failureThreshold:int terminationGracePeriodSeconds:int64
ProbeHandler: exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction grpc:GRPCAction
ExecAction: command:[string]
HTTPGetAction: path port:intstr host scheme httpHeaders:[HTTPHeader]
HTTPHeader: name value
TCPSocketAction: port:intstr host
GRPCAction: port:int service
Lifecycle: postStart:LifecycleHandler preStop:LifecycleHandler stopSignal
LifecycleHandler: exec:ExecAction httpGet:HTTPGetAction tcpSocket:TCPSocketAction
  sleep:SleepAction
SleepAction: seconds:int64
SecurityContext: capabilities:Capabilities privileged:bool seLinuxOptions:SELinuxOptions
  windowsOptions:WindowsSecurityContextOptions runAsUser:int64 runAsGroup:int64 runAsNonRoot:bool
  readOnlyRootFilesystem:bool allowPrivilegeEscalation:bool procMount
  seccompProfile:SeccompProfile appArmorProfile:AppArmorProfile
Capabilities: add:[string] drop:[string]
SELinuxOptions: user role type level
WindowsSecurityContextOptions: gmsaCredentialSpecName gmsaCredentialSpec runAsUserName
  hostProcess:bool
SeccompProfile: type localhostProfile
AppArmorProfile: type localhostProfile
PodSecurityContext: seLinuxOptions:SELinuxOptions windowsOptions:WindowsSecurityContextOptions
  runAsUser:int64 runAsGroup:int64 runAsNonRoot:bool supplementalGroups:[int64]
  supplementalGroupsPolicy fsGroup:int64 sysctls:[Sysctl] fsGroupChangePolicy
  seccompProfile:SeccompProfile appArmorProfile:AppArmorProfile seLinuxChangePolicy
Sysctl: name value
Affinity: nodeAffinity:NodeAffinity podAffinity:PodAffinity podAntiAffinity:PodAffinity
NodeAffinity: requiredDuringSchedulingIgnoredDuringExecution:NodeSelector
  preferredDuringSchedulingIgnoredDuringExecution:[PreferredSchedulingTerm]
NodeSelector: nodeSelectorTerms:[NodeSelectorTerm]
NodeSelectorTerm: matchExpressions:[NodeSelectorRequirement] matchFields:[NodeSelectorRequirement]
NodeSelectorRequirement: key operator values:[string]
PreferredSchedulingTerm: weight:int preference:NodeSelectorTerm
PodAffinity: requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]
  preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm]
PodAffinityTerm: labelSelector:LabelSelector namespaces:[string] topologyKey
  namespaceSelector:LabelSelector matchLabelKeys:[string] mismatchLabelKeys:[string]
WeightedPodAffinityTerm: weight:int podAffinityTerm:PodAffinityTerm
Toleration: key operator value effect tolerationSeconds:int64
HostAlias: ip hostnames:[string]
PodDNSConfig: nameservers:[string] searches:[string] options:[PodDNSConfigOption]
PodDNSConfigOption: name value
PodReadinessGate: conditionType
TopologySpreadConstraint: maxSkew:int topologyKey whenUnsatisfiable labelSelector:LabelSelector
  minDomains:int nodeAffinityPolicy nodeTaintsPolicy matchLabelKeys:[string]
PodOS: name
PodSchedulingGate: name
PodResourceClaim: name resourceClaimName resourceClaimTemplateName
LocalObjectReference: name
ObjectReference: kind namespace name uid apiVersion resourceVersion fieldPath
TypedLocalObjectReference: apiGroup kind name
TypedObjectReference: apiGroup kind name namespace

# volumes
Volume: name ...VolumeSource
VolumeSource: hostPath:HostPathVolumeSource emptyDir:EmptyDirVolumeSource gcePersistentDisk:any
  awsElasticBlockStore:any gitRepo:any secret:SecretVolumeSource nfs:NFSVolumeSource iscsi:any
  glusterfs:any persistentVolumeClaim:PersistentVolumeClaimVolumeSource rbd:any flexVolume:any
  cinder:any cephfs:any flocker:any downwardAPI:DownwardAPIVolumeSource fc:any azureFile:any
  configMap:ConfigMapVolumeSource vsphereVolume:any quobyte:any azureDisk:any
  photonPersistentDisk:any projected:ProjectedVolumeSource portworxVolume:any scaleIO:any
  storageos:any csi:CSIVolumeSource ephemeral:EphemeralVolumeSource image:ImageVolumeSource
HostPathVolumeSource: path type
EmptyDirVolumeSource: medium sizeLimit:quantity
SecretVolumeSource: secretName items:[KeyToPath] defaultMode:int optional:bool
KeyToPath: key path mode:int
NFSVolumeSource: server path readOnly:bool
PersistentVolumeClaimVolumeSource: claimName readOnly:bool
DownwardAPIVolumeSource: items:[DownwardAPIVolumeFile] defaultMode:int
DownwardAPIVolumeFile: path fieldRef:ObjectFieldSelector resourceFieldRef:ResourceFieldSelector
  mode:int
ConfigMapVolumeSource: name items:[KeyToPath] defaultMode:int optional:bool
ProjectedVolumeSource: sources:[VolumeProjection] defaultMode:int
VolumeProjection: secret:SecretProjection downwardAPI:DownwardAPIProjection
  configMap:ConfigMapProjection serviceAccountToken:ServiceAccountTokenProjection
  clusterTrustBundle:any
SecretProjection: name items:[KeyToPath] optional:bool
ConfigMapProjection: name items:[KeyToPath] optional:bool
DownwardAPIProjection: items:[DownwardAPIVolumeFile]
ServiceAccountTokenProjection: audience expirationSeconds:int64 path
CSIVolumeSource: driver readOnly:bool fsType volumeAttributes:{string}
  nodePublishSecretRef:LocalObjectReference
EphemeralVolumeSource: volumeClaimTemplate:PersistentVolumeClaimTemplate
PersistentVolumeClaimTemplate: metadata:ObjectMeta spec:PersistentVolumeClaimSpec
ImageVolumeSource: reference pullPolicy

PodStatus: observedGeneration:int64 phase conditions:[Cond]@merge=type message reason
  nominatedNodeName hostIP hostIPs:[HostIP]@merge=ip podIP podIPs:[PodIP]@merge=ip startTime:time
  initContainerStatuses:[ContainerStatus] containerStatuses:[ContainerStatus] qosClass
  ephemeralContainerStatuses:[ContainerStatus] resize
  resourceClaimStatuses:[any]@merge,retainKeys=name
HostIP: ip
PodIP: ip
ContainerStatus: name state:ContainerState lastState:ContainerState ready:bool restartCount:int
  image imageID containerID started:bool allocatedResources:{quantity}
  resources:ResourceRequirements volumeMounts:[any] user:any
  allocatedResourcesStatus:[any]@merge=name stopSignal
ContainerState: waiting:ContainerStateWaiting running:ContainerStateRunning
  terminated:ContainerStateTerminated
ContainerStateWaiting: reason message
ContainerStateRunning: startedAt:time
ContainerStateTerminated: exitCode:int signal:int reason message startedAt:time finishedAt:time
  containerID

kind v1/Pod: spec:PodSpec status:PodStatus
kind v1/PodTemplate: template:PodTemplateSpec
kind v1/Binding: target:ObjectReference

# ---- core/v1 others
ServiceSpec: ports:[ServicePort]@merge=port selector:{string} clusterIP clusterIPs:[string] type
  externalIPs:[string] sessionAffinity loadBalancerIP loadBalancerSourceRanges:[string]
  externalName externalTrafficPolicy healthCheckNodePort:int publishNotReadyAddresses:bool
  sessionAffinityConfig:SessionAffinityConfig ipFamilies:[string] ipFamilyPolicy
  allocateLoadBalancerNodePorts:bool loadBalancerClass internalTrafficPolicy trafficDistribution
ServicePort: name protocol appProtocol port:int targetPort:intstr nodePort:int
SessionAffinityConfig: clientIP:ClientIPConfig
ClientIPConfig: timeoutSeconds:int
ServiceStatus: loadBalancer:LoadBalancerStatus conditions:[Condition]@merge=type
LoadBalancerStatus: ingress:[LoadBalancerIngress]
LoadBalancerIngress: ip hostname ipMode ports:[PortStatus]
PortStatus: port:int protocol error
kind v1/Service: spec:ServiceSpec status:ServiceStatus

kind v1/ConfigMap: data:{string} binaryData:{bytes} immutable:bool
kind v1/Secret: data:{bytes} stringData:{string} type immutable:bool

NamespaceSpec: finalizers:[string]
NamespaceStatus: phase conditions:[Cond]@merge=type
kind v1/Namespace: spec:NamespaceSpec status:NamespaceStatus

kind v1/ServiceAccount: secrets:[ObjectReference]@merge=name
  imagePullSecrets:[LocalObjectReference] automountServiceAccountToken:bool

NodeSpec: podCIDR podCIDRs:[string]@merge providerID unschedulable:bool taints:[Taint]
  configSource:any externalID
Taint: key value effect timeAdded:time
NodeStatus: capacity:{quantity} allocatable:{quantity} phase conditions:[Cond]@merge=type
  addresses:[NodeAddress]@merge=type daemonEndpoints:NodeDaemonEndpoints nodeInfo:NodeSystemInfo
  images:[ContainerImage] volumesInUse:[string] volumesAttached:[any] config:any
  runtimeHandlers:[any] features:any
NodeAddress: type address
NodeDaemonEndpoints: kubeletEndpoint:DaemonEndpoint
DaemonEndpoint: Port:int
NodeSystemInfo: machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion
  kubeletVersion kubeProxyVersion operatingSystem architecture swap:any
ContainerImage: names:[string] sizeBytes:int64
kind v1/Node: spec:NodeSpec status:NodeStatus

EventSource: component host
EventSeries: count:int lastObservedTime:time
kind v1/Event: involvedObject:ObjectReference reason message source:EventSource
  firstTimestamp:time lastTimestamp:time count:int type eventTime:time series:EventSeries action
  related:ObjectReference reportingComponent reportingInstance
kind events.k8s.io/v1/Event: eventTime:time series:EventSeries reportingController
  reportingInstance action reason regarding:ObjectReference related:ObjectReference note type
  deprecatedSource:EventSource deprecatedFirstTimestamp:time deprecatedLastTimestamp:time
  deprecatedCount:int

EndpointSubset: addresses:[EndpointAddress] notReadyAddresses:[EndpointAddress]
  ports:[EndpointPort]
EndpointAddress: ip hostname nodeName targetRef:ObjectReference
EndpointPort: name port:int protocol appProtocol
kind v1/Endpoints: subsets:[EndpointSubset]

LimitRangeItem: type max:{quantity} min:{quantity} default:{quantity} defaultRequest:{quantity}
  maxLimitRequestRatio:{quantity}
LimitRangeSpec: limits:[LimitRangeItem]
kind v1/LimitRange: spec:LimitRangeSpec

ResourceQuotaSpec: hard:{quantity} scopes:[string] scopeSelector:ScopeSelector
ScopeSelector: matchExpressions:[ScopedResourceSelectorRequirement]
ScopedResourceSelectorRequirement: scopeName operator values:[string]
ResourceQuotaStatus: hard:{quantity} used:{quantity}
kind v1/ResourceQuota: spec:ResourceQuotaSpec status:ResourceQuotaStatus

PersistentVolumeSpec: capacity:{quantity} ...PersistentVolumeSource accessModes:[string]
  claimRef:ObjectReference persistentVolumeReclaimPolicy storageClassName mountOptions:[string]
  volumeMode nodeAffinity:VolumeNodeAffinity volumeAttributesClassName
PersistentVolumeSource: hostPath:HostPathVolumeSource nfs:NFSVolumeSource local:LocalVolumeSource
  csi:any gcePersistentDisk:any awsElasticBlockStore:any glusterfs:any rbd:any iscsi:any cinder:any
  cephfs:any fc:any flocker:any flexVolume:any azureFile:any vsphereVolume:any quobyte:any
  azureDisk:any photonPersistentDisk:any portworxVolume:any scaleIO:any storageos:any
LocalVolumeSource: path fsType
VolumeNodeAffinity: required:NodeSelector
PersistentVolumeStatus: phase message reason lastPhaseTransitionTime:time
kind v1/PersistentVolume: spec:PersistentVolumeSpec status:PersistentVolumeStatus

PersistentVolumeClaimSpec: accessModes:[string] selector:LabelSelector
  resources:VolumeResourceRequirements volumeName storageClassName volumeMode
  dataSource:TypedLocalObjectReference dataSourceRef:TypedObjectReference volumeAttributesClassName
VolumeResourceRequirements: limits:{quantity} requests:{quantity}
PersistentVolumeClaimStatus: phase accessModes:[string] capacity:{quantity}
  conditions:[Cond]@merge=type allocatedResources:{quantity} allocatedResourceStatuses:{string}
  currentVolumeAttributesClassName modifyVolumeStatus:any
PersistentVolumeClaim: apiVersion kind metadata:ObjectMeta spec:PersistentVolumeClaimSpec
  status:PersistentVolumeClaimStatus
kind v1/PersistentVolumeClaim: spec:PersistentVolumeClaimSpec status:PersistentVolumeClaimStatus

# ---- apps/v1
DeploymentSpec: replicas:int selector:LabelSelector template:PodTemplateSpec
  strategy:DeploymentStrategy@retainKeys minReadySeconds:int revisionHistoryLimit:int paused:bool
  progressDeadlineSeconds:int
DeploymentStrategy: type rollingUpdate:RollingUpdateDeployment
RollingUpdateDeployment: maxUnavailable:intstr maxSurge:intstr
DeploymentStatus: observedGeneration:int64 replicas:int updatedReplicas:int readyReplicas:int
  availableReplicas:int unavailableReplicas:int terminatingReplicas:int
  conditions:[Cond]@merge=type collisionCount:int
kind apps/v1/Deployment: spec:DeploymentSpec status:DeploymentStatus

ReplicaSetSpec: replicas:int minReadySeconds:int selector:LabelSelector template:PodTemplateSpec
ReplicaSetStatus: replicas:int fullyLabeledReplicas:int readyReplicas:int availableReplicas:int
  terminatingReplicas:int observedGeneration:int64 conditions:[Cond]@merge=type
kind apps/v1/ReplicaSet: spec:ReplicaSetSpec status:ReplicaSetStatus

StatefulSetSpec: replicas:int selector:LabelSelector template:PodTemplateSpec
  volumeClaimTemplates:[PersistentVolumeClaim] serviceName podManagementPolicy
  updateStrategy:StatefulSetUpdateStrategy revisionHistoryLimit:int minReadySeconds:int
  persistentVolumeClaimRetentionPolicy:StatefulSetPersistentVolumeClaimRetentionPolicy
  ordinals:StatefulSetOrdinals
StatefulSetUpdateStrategy: type rollingUpdate:RollingUpdateStatefulSetStrategy
RollingUpdateStatefulSetStrategy: partition:int maxUnavailable:intstr
StatefulSetPersistentVolumeClaimRetentionPolicy: whenDeleted whenScaled
StatefulSetOrdinals: start:int
StatefulSetStatus: observedGeneration:int64 replicas:int readyReplicas:int currentReplicas:int
  updatedReplicas:int currentRevision updateRevision collisionCount:int
  conditions:[Cond]@merge=type availableReplicas:int
kind apps/v1/StatefulSet: spec:StatefulSetSpec status:StatefulSetStatus

DaemonSetSpec: selector:LabelSelector template:PodTemplateSpec
  updateStrategy:DaemonSetUpdateStrategy minReadySeconds:int revisionHistoryLimit:int
DaemonSetUpdateStrategy: type rollingUpdate:RollingUpdateDaemonSet
RollingUpdateDaemonSet: maxUnavailable:intstr maxSurge:intstr
DaemonSetStatus: currentNumberScheduled:int numberMisscheduled:int desiredNumberScheduled:int
  numberReady:int observedGeneration:int64 updatedNumberScheduled:int numberAvailable:int
  numberUnavailable:int collisionCount:int conditions:[Cond]@merge=type
kind apps/v1/DaemonSet: spec:DaemonSetSpec status:DaemonSetStatus

kind apps/v1/ControllerRevision: data:any revision:int64

# ---- batch/v1
JobSpec: parallelism:int completions:int activeDeadlineSeconds:int64
  podFailurePolicy:PodFailurePolicy successPolicy:any backoffLimit:int backoffLimitPerIndex:int
  maxFailedIndexes:int selector:LabelSelector manualSelector:bool template:PodTemplateSpec
  ttlSecondsAfterFinished:int completionMode suspend:bool podReplacementPolicy managedBy
PodFailurePolicy: rules:[PodFailurePolicyRule]
PodFailurePolicyRule: action onExitCodes:PodFailurePolicyOnExitCodesRequirement
  onPodConditions:[PodFailurePolicyOnPodConditionsPattern]
PodFailurePolicyOnExitCodesRequirement: containerName operator values:[int]
PodFailurePolicyOnPodConditionsPattern: type status
JobStatus: conditions:[Cond]@merge=type startTime:time completionTime:time active:int
  succeeded:int failed:int terminating:int completedIndexes failedIndexes
  uncountedTerminatedPods:any ready:int
kind batch/v1/Job: spec:JobSpec status:JobStatus

JobTemplateSpec: metadata:ObjectMeta spec:JobSpec
CronJobSpec: schedule timeZone startingDeadlineSeconds:int64 concurrencyPolicy suspend:bool
  jobTemplate:JobTemplateSpec successfulJobsHistoryLimit:int failedJobsHistoryLimit:int
CronJobStatus: active:[ObjectReference] lastScheduleTime:time lastSuccessfulTime:time
kind batch/v1/CronJob: spec:CronJobSpec status:CronJobStatus

# ---- rbac.authorization.k8s.io/v1
PolicyRule: verbs:[string] apiGroups:[string] resources:[string] resourceNames:[string]
  nonResourceURLs:[string]
AggregationRule: clusterRoleSelectors:[LabelSelector]
Subject: kind apiGroup name namespace
RoleRef: apiGroup kind name
kind rbac.authorization.k8s.io/v1/Role: rules:[PolicyRule]
kind rbac.authorization.k8s.io/v1/ClusterRole: rules:[PolicyRule] aggregationRule:AggregationRule
kind rbac.authorization.k8s.io/v1/RoleBinding: subjects:[Subject] roleRef:RoleRef
kind rbac.authorization.k8s.io/v1/ClusterRoleBinding: subjects:[Subject] roleRef:RoleRef

# ---- networking.k8s.io/v1
IngressSpec: ingressClassName defaultBackend:IngressBackend tls:[IngressTLS] rules:[IngressRule]
IngressBackend: service:IngressServiceBackend resource:TypedLocalObjectReference
IngressServiceBackend: name port:ServiceBackendPort
ServiceBackendPort: name number:int
IngressTLS: hosts:[string] secretName
IngressRule: host http:HTTPIngressRuleValue
HTTPIngressRuleValue: paths:[HTTPIngressPath]
HTTPIngressPath: path pathType backend:IngressBackend
IngressStatus: loadBalancer:LoadBalancerStatus
kind networking.k8s.io/v1/Ingress: spec:IngressSpec status:IngressStatus
IngressClassSpec: controller parameters:any
kind networking.k8s.io/v1/IngressClass: spec:IngressClassSpec

NetworkPolicySpec: podSelector:LabelSelector ingress:[NetworkPolicyIngressRule]
  egress:[NetworkPolicyEgressRule] policyTypes:[string]
NetworkPolicyIngressRule: ports:[NetworkPolicyPort] from:[NetworkPolicyPeer]
NetworkPolicyEgressRule: ports:[NetworkPolicyPort] to:[NetworkPolicyPeer]
NetworkPolicyPort: protocol port:intstr endPort:int
NetworkPolicyPeer: podSelector:LabelSelector namespaceSelector:LabelSelector ipBlock:IPBlock
IPBlock: cidr except:[string]
kind networking.k8s.io/v1/NetworkPolicy: spec:NetworkPolicySpec

# ---- autoscaling
HorizontalPodAutoscalerSpec: scaleTargetRef:CrossVersionObjectReference minReplicas:int
  maxReplicas:int metrics:[MetricSpec] behavior:HorizontalPodAutoscalerBehavior
CrossVersionObjectReference: kind name apiVersion
MetricSpec: type object:ObjectMetricSource pods:PodsMetricSource resource:ResourceMetricSource
  containerResource:ContainerResourceMetricSource external:ExternalMetricSource
ObjectMetricSource: describedObject:CrossVersionObjectReference target:MetricTarget
  metric:MetricIdentifier
PodsMetricSource: metric:MetricIdentifier target:MetricTarget
ResourceMetricSource: name target:MetricTarget
ContainerResourceMetricSource: name target:MetricTarget container
ExternalMetricSource: metric:MetricIdentifier target:MetricTarget
MetricIdentifier: name selector:LabelSelector
MetricTarget: type value:quantity averageValue:quantity averageUtilization:int
HorizontalPodAutoscalerBehavior: scaleUp:HPAScalingRules scaleDown:HPAScalingRules
HPAScalingRules: stabilizationWindowSeconds:int selectPolicy policies:[HPAScalingPolicy]
  tolerance:quantity
HPAScalingPolicy: type value:int periodSeconds:int
HorizontalPodAutoscalerStatus: observedGeneration:int64 lastScaleTime:time currentReplicas:int
  desiredReplicas:int currentMetrics:[any] conditions:[Cond]@merge=type
kind autoscaling/v2/HorizontalPodAutoscaler: spec:HorizontalPodAutoscalerSpec
  status:HorizontalPodAutoscalerStatus
ScaleSpec: replicas:int
ScaleStatus: replicas:int selector
kind autoscaling/v1/Scale: spec:ScaleSpec status:ScaleStatus

# ---- policy/v1
PodDisruptionBudgetSpec: minAvailable:intstr selector:LabelSelector@replace maxUnavailable:intstr
  unhealthyPodEvictionPolicy
PodDisruptionBudgetStatus: observedGeneration:int64 disruptedPods:{time} disruptionsAllowed:int
  currentHealthy:int desiredHealthy:int expectedPods:int conditions:[Condition]@merge=type
kind policy/v1/PodDisruptionBudget: spec:PodDisruptionBudgetSpec status:PodDisruptionBudgetStatus

# ---- storage.k8s.io/v1, coordination.k8s.io/v1
TopologySelectorTerm: matchLabelExpressions:[TopologySelectorLabelRequirement]
TopologySelectorLabelRequirement: key values:[string]
kind storage.k8s.io/v1/StorageClass: provisioner parameters:{string} reclaimPolicy
  mountOptions:[string] allowVolumeExpansion:bool volumeBindingMode
  allowedTopologies:[TopologySelectorTerm]
LeaseSpec: holderIdentity leaseDurationSeconds:int acquireTime:time renewTime:time
  leaseTransitions:int strategy preferredHolder
kind coordination.k8s.io/v1/Lease: spec:LeaseSpec

# ---- keelson.dev/v1
ApplicationSpec: source:ApplicationSource destination:ApplicationDestination project
  serviceAccountName syncPolicy:SyncPolicy
ApplicationSource: repoURL targetRevision path chart helm:ApplicationSourceHelm directory:any
ApplicationSourceHelm: values:any valuesObject:any valueFiles:[string]
  parameters:[HelmParameter] releaseName
HelmParameter: name value forceString:bool
ApplicationDestination: namespace server name
SyncPolicy: automated:SyncPolicyAutomated syncOptions:[string] retry:RetryStrategy
SyncPolicyAutomated: prune:bool selfHeal:bool allowEmpty:bool
RetryStrategy: limit:int64 backoff:Backoff
Backoff: duration factor:int64 maxDuration
kind keelson.dev/v1/Application: spec:ApplicationSpec status:any operation:any
kind keelson.dev/v1/Repository: spec:any status:any
kind keelson.dev/v1/SealedSecret: spec:any status:any
)";

}  // namespace keelson::api::schema_internal
